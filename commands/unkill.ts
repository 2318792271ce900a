import { KillSwitchCommand, killSwitchArgs, killSwitchFlags } from '../src/cli/kill-switch-command.js'
import type { KillSwitchOutcome } from '../src/services/kill-switch.js'

export default class Unkill extends KillSwitchCommand<typeof Unkill> {
  static override summary = 'Restore a killed or throttled scope: only an operator can.'
  static override description = 'Publishes an UNKILL as the identity the log (or, with --api, the console) authenticates, then waits until killswitch.state.v1 shows the scope ACTIVE again. Exits 1 if that is not confirmed within 10 s. The detector can never unkill; this is the operator\'s direct and exclusive control.'
  static override examples = [
    '<%= config.bin %> unkill ACCOUNT:12345 --reason "algo fixed, reviewed by risk"',
    '<%= config.bin %> unkill SYMBOL:TSLA --reason "news out" --json',
  ]
  static override args = killSwitchArgs
  static override flags = killSwitchFlags
  protected readonly action = 'UNKILL'

  async run(): Promise<KillSwitchOutcome> {
    return this.request()
  }
}
