import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { directIdentity } from '../src/config/direct-identity.js'
import { renderRecordLine } from '../src/tui/render-record.js'
import { badInput, interrupted } from '../src/errors.js'
import { parseStartPosition } from '../src/services/start-position.js'
import { tailTopics } from '../src/services/tail.js'
import { prefixedLine } from '../src/tui/plain-line.js'
import { runTailTui } from '../src/tui/run-tail-tui.js'
import { parseViewTopics } from '../src/tui/view-topics.js'
import { createTailSource } from '../src/services/tail-source.js'

export default class Tail extends BaseCommand<typeof Tail> {
  static override summary = 'Print the records of one or more topics as they arrive, or watch five at once.'
  static override description =
    'With topic arguments: follows them from --from (default: the end) until Ctrl+C; --no-follow stops at the end offsets seen at start. --format json (or --json) prints one object per line: {topic, partition, offset, key, timestamp, value}.\n\nWithout: a live view of orders, risk signals, kill commands, kill state and audit side by side (--topics chooses others), with active kills and allowed/dropped counts on top. Keys: Tab/←→ pane, ↑↓ select, Enter expand, k kill / u unkill the selected account, p pause, q quit. When stdout is not a terminal, it prints "[topic] record" lines instead.'
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> tail',
    '<%= config.bin %> tail --topics orders.gated.v1,dlq.v1 --from beginning',
    '<%= config.bin %> tail orders.v1',
    '<%= config.bin %> tail killswitch.commands.v1 killswitch.state.v1 --from beginning',
    '<%= config.bin %> tail audit.v1 --key 12345 --from 2026-11-25T09:30:00Z --no-follow',
    '<%= config.bin %> tail orders.v1 -n 10 --format json',
  ]
  static override jsonLines = true
  static override strict = false
  static override args = {
    topic: Args.string({
      description: 'Topic names (one or more), e.g. orders.v1 audit.v1; none for the live view',
    }),
  }
  static override flags = {
    from: Flags.string({ description: 'beginning | end | ISO time | epoch ms', default: 'end' }),
    follow: Flags.boolean({ description: 'Keep waiting for new records', default: true, allowNo: true }),
    max: Flags.integer({ char: 'n', description: 'Stop after this many records', min: 1 }),
    key: Flags.string({ description: 'Only records with this key' }),
    format: Flags.string({ description: 'Output format', options: ['pretty', 'json'], default: 'pretty' }),
    topics: Flags.string({
      description: 'Live view only: its panes, comma-separated (default: the five of the demo)',
    }),
  }

  /** Streams until Ctrl+C (or the end with --no-follow, or -n): its output is the lines, there is no result. */
  async run(): Promise<void> {
    const asArguments = this.positionals.length > 0
    if (asArguments && this.flags.topics !== undefined) {
      throw badInput('RISKCTL_TOPICS_TWICE', 'Name topics as arguments or with --topics, not both.', [
        'riskctl tail orders.v1 audit.v1   (one stream of lines)',
        'riskctl tail --topics orders.v1,audit.v1   (the live view)',
      ])
    }
    const topics = asArguments ? this.positionals : parseViewTopics(this.flags.topics)
    const from = parseStartPosition(this.flags.from)
    const json = this.settings.json || this.flags.format === 'json'
    const log = await this.openLog()
    const signal = this.stopSignal()
    if (!asArguments && !json && process.stdout.isTTY) {
      const outcome = await runTailTui({ source: createTailSource(log, directIdentity(this.settings)), topics, from, color: this.settings.color, signal })
      // Ctrl+C reaches the view as a key, not as a signal: it ends the command as the signal would.
      if (outcome === 'interrupted') throw interrupted()
      return
    }
    const { follow, max, key } = this.flags
    for await (const record of tailTopics(log, { topics, from, follow, max, key, signal })) {
      if (json) this.jsonLine(record)
      else this.out.line(asArguments ? renderRecordLine(record, this.out.style) : prefixedLine(record, this.out.style))
    }
  }
}
