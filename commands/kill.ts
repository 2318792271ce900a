import { KillSwitchCommand, killSwitchArgs, killSwitchFlags } from '../src/cli/kill-switch-command.js'
import type { KillSwitchOutcome } from '../src/services/kill-switch.js'

export default class Kill extends KillSwitchCommand<typeof Kill> {
  static override summary = 'Kill a scope: the router drops its orders from the next one on.'
  static override description = 'Publishes a KILL to killswitch.commands.v1 as the identity the log authenticates (local:<you> on the embedded log, sasl:<user> on Kafka with SASL; with --api, the console user its token authenticates), then waits until killswitch.state.v1 shows the scope KILLED and prints it. Exits 1 if that is not confirmed within 10 s (nothing is enforcing it: is `riskctl up` running?). A scope that is already KILLED is left as it is.'
  static override examples = [
    '<%= config.bin %> kill ACCOUNT:12345 --reason "runaway algo"',
    '<%= config.bin %> kill SYMBOL:TSLA --reason "halt pending news"',
    '<%= config.bin %> kill GLOBAL --reason "market-wide stop" --no-wait',
    'RISKCTL_OPERATOR_TOKEN=... <%= config.bin %> kill ACCOUNT:12345 --reason "runaway" --api http://127.0.0.1:8000',
    'RISKCTL_OPERATOR_TOKEN=... <%= config.bin %> kill ACCOUNT:12345 --reason "runaway" --profile class',
  ]
  static override args = killSwitchArgs
  static override flags = killSwitchFlags
  protected readonly action = 'KILL'

  async run(): Promise<KillSwitchOutcome> {
    return this.request()
  }
}
