import { Args } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderTopicDescription } from '../src/cli/render-topic.js'
import { describeTopic, type DescribeTopicResult } from '../src/services/describe-topic.js'

export default class DescribeTopic extends BaseCommand<typeof DescribeTopic, DescribeTopicResult> {
  static override summary = 'Show a topic: partitions, offsets, records, distinct keys and configs with their source.'
  static override description =
    'For the compacted killswitch.state.v1, records fall to one per key once compaction has run, while killswitch.commands.v1 keeps the full history.'
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> describe-topic killswitch.state.v1',
    '<%= config.bin %> describe-topic killswitch.commands.v1 --json',
  ]
  static override args = {
    topic: Args.string({ description: 'Topic name, e.g. killswitch.state.v1', required: true }),
  }

  async run(): Promise<DescribeTopicResult> {
    return describeTopic(await this.openLog(), this.args.topic)
  }

  protected override render(result: DescribeTopicResult): void {
    this.out.line(renderTopicDescription(result, this.out.style))
  }
}
