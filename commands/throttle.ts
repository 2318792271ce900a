import { Flags } from '@oclif/core'
import { KillSwitchCommand, killSwitchArgs, killSwitchFlags } from '../src/cli/kill-switch-command.js'
import type { KillSwitchOutcome } from '../src/services/kill-switch.js'

export default class Throttle extends KillSwitchCommand<typeof Throttle> {
  static override summary = 'Cap a scope at N orders per second instead of killing it.'
  static override description =
    'Publishes a THROTTLE: the router allows up to --max-orders-per-sec orders per second for the scope and drops the rest, with the reason in the audit trail. `riskctl unkill` lifts it.'
  static override examples = ['<%= config.bin %> throttle ACCOUNT:12345 --max-orders-per-sec 5 --reason "slow down while we look"']
  static override args = killSwitchArgs
  static override flags = {
    ...killSwitchFlags,
    'max-orders-per-sec': Flags.integer({ description: 'Orders per second to allow', required: true, min: 1 }),
  }
  protected readonly action = 'THROTTLE'

  async run(): Promise<KillSwitchOutcome> {
    return this.request(this.flags['max-orders-per-sec'])
  }
}
