import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createInterruptSignal } from '../src/cli/interrupt.js'
import { renderRecordLine } from '../src/cli/render-record.js'
import { interrupted } from '../src/errors.js'
import { parseStartPosition } from '../src/services/start-position.js'
import { tailTopics } from '../src/services/tail.js'

export default class Tail extends BaseCommand<typeof Tail> {
  static override summary = 'Print the records of one or more topics as they arrive.'
  static override description =
    'Follows the topics from --from (default: the end) until Ctrl+C; --no-follow stops at the end offsets seen at start. --format json (or --json) prints one object per line: {topic, partition, offset, key, timestamp, value}.'
  static override examples = [
    '<%= config.bin %> tail orders.v1',
    '<%= config.bin %> tail killswitch.commands.v1 killswitch.state.v1 --from beginning',
    '<%= config.bin %> tail audit.v1 --key 12345 --from 2026-11-25T09:30:00Z --no-follow',
    '<%= config.bin %> tail orders.v1 -n 10 --format json',
  ]
  static override strict = false
  static override args = {
    topic: Args.string({ description: 'Topic names (one or more), e.g. orders.v1 audit.v1', required: true }),
  }
  static override flags = {
    from: Flags.string({ description: 'beginning | end | ISO time | epoch ms', default: 'end' }),
    follow: Flags.boolean({ description: 'Keep waiting for new records', default: true, allowNo: true }),
    max: Flags.integer({ char: 'n', description: 'Stop after this many records', min: 1 }),
    key: Flags.string({ description: 'Only records with this key' }),
    format: Flags.string({ description: 'Output format', options: ['pretty', 'json'], default: 'pretty' }),
  }

  async run(): Promise<void> {
    const json = this.settings.json || this.flags.format === 'json'
    const interrupt = createInterruptSignal()
    try {
      const records = tailTopics(await this.openLog(), {
        topics: this.positionals,
        from: parseStartPosition(this.flags.from),
        follow: this.flags.follow,
        max: this.flags.max,
        key: this.flags.key,
        signal: interrupt.signal,
      })
      for await (const record of records) {
        this.out.line(json ? JSON.stringify(record) : renderRecordLine(record, this.out.style))
      }
    } finally {
      interrupt.dispose()
    }
    if (interrupt.interrupted()) throw interrupted()
  }

}
