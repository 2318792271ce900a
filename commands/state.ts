import { BaseCommand } from '../src/cli/base-command.js'
import { colorWord } from '../src/cli/render-record.js'
import { renderTable } from '../src/cli/table.js'
import { readKillStates } from '../src/services/kill-state-view.js'

export default class State extends BaseCommand<typeof State> {
  static override summary = "Show every scope's current kill-switch status, reason, who and when."
  static override description =
    'Reads the compacted killswitch.state.v1 to its end: the same view a router loads before it routes its first order. --json prints the state records as they stand on the topic.'
  static override profileUse = 'connect' as const
  static override examples = ['<%= config.bin %> state', '<%= config.bin %> state --json']

  async run(): Promise<void> {
    const states = await readKillStates(await this.openLog())
    if (this.settings.json) return this.out.json(states)
    const { style } = this.out
    if (states.length === 0) {
      this.out.line('No scope has ever been killed or throttled: everything is ACTIVE.')
      return
    }
    this.out.line(
      renderTable(
        ['scope', 'status', 'reason', 'by', 'updated', 'corr_id'],
        states.map((state) => [
          state.scope,
          colorWord(state.status, style) + (state.status === 'THROTTLED' ? ` ${state.max_orders_per_sec}/s` : ''),
          state.reason,
          state.updated_by,
          new Date(state.updated_ts).toISOString(),
          style.dim(state.corr_id),
        ]),
      ),
    )
  }
}
