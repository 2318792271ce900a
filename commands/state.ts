import { BaseCommand } from '../src/cli/base-command.js'
import { renderKillStates } from '../src/cli/render-state.js'
import type { KillState } from '../src/domain/kill-status.js'
import { readKillStates } from '../src/services/state.js'

export default class State extends BaseCommand<typeof State, KillState[]> {
  static override summary = "Show every scope's current kill-switch status, reason, who and when."
  static override description =
    'Reads the compacted killswitch.state.v1 to its end: the same view a router loads before it routes its first order. --json prints the state records as they stand on the topic.'
  static override profileUse = 'connect' as const
  static override examples = ['<%= config.bin %> state', '<%= config.bin %> state --json']

  async run(): Promise<KillState[]> {
    return readKillStates(await this.openLog())
  }

  protected override render(states: KillState[]): void {
    this.out.line(renderKillStates(states, this.out.style))
  }
}
