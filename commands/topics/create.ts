import { BaseCommand } from '../../src/cli/base-command.js'
import { createAllTopics, type TopicsCreateResult } from '../../src/services/topics-create.js'

export default class TopicsCreate extends BaseCommand<typeof TopicsCreate, TopicsCreateResult> {
  static override summary = 'Create every riskctl topic that does not exist yet (idempotent).'
  static override description =
    'Creates orders.v1, risk_signals.v1, killswitch.commands.v1, killswitch.state.v1 (compacted), orders.gated.v1, audit.v1 and dlq.v1 with the partitions and configs of topologies/topics.ts. Existing topics are left as they are.'
  static override examples = ['<%= config.bin %> topics create', '<%= config.bin %> topics create --data-dir ./class-demo --json']

  async run(): Promise<TopicsCreateResult> {
    return createAllTopics(await this.openLog())
  }

  protected override render(result: TopicsCreateResult): void {
    const { style } = this.out
    for (const name of result.created) this.out.line(`${style.green('created')}  ${name}`)
    for (const name of result.existing) this.out.line(`${style.dim('exists')}   ${name}`)
    this.out.line(style.dim(`on the ${result.log}`))
  }
}
