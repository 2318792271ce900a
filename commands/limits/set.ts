import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderLimitsOutcome } from '../../src/cli/render-limits.js'
import { setLimits, type LimitsSetOutcome } from '../../src/services/limits.js'
import { apiFlag, refuseOperatorFlag, retiredOperatorFlag } from '../../src/cli/kill-switch-command.js'

const limit = (description: string) => Flags.string({ description, helpGroup: 'LIMITS' })

export default class LimitsSet extends BaseCommand<typeof LimitsSet, LimitsSetOutcome> {
  static override summary = "Change a scope's pre-trade limits: tighten, or, as an operator, loosen."
  static override description =
    'Publishes a SET_LIMITS to killswitch.commands.v1 as the identity the log authenticates (local:<you> on the embedded log, sasl:<user> on Kafka with SASL; with --api: through the operator console, as the user its token authenticates), then waits until risk_limits.v1 shows it applied and prints the record. Exits 1 if that is not confirmed within 10 s (is `riskctl up` running?), 5 if the aggregator refused it. Fields not named are left as they are. With --expires the change is temporary: at its expiry the limits it replaced are in force again.'
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> limits set ACCOUNT:12345 --max-qty 500 --max-notional 250000 --reason "new client, start small"',
    '<%= config.bin %> limits set GLOBAL --restrict TSLA --restrict GME --reason "news pending"',
    '<%= config.bin %> limits set ACCOUNT:12345 --credit 5000000 --expires 2h --reason "block trade approved by risk"',
    '<%= config.bin %> limits set ACCOUNT:12345 --max-qty 100 --reason "tighten" --api http://127.0.0.1:8000',
  ]
  static override args = {
    scope: Args.string({ description: 'GLOBAL | ACCOUNT:<id>', required: true }),
  }
  static override flags = {
    'max-qty': limit('Largest quantity of one order (a whole number above 0)'),
    'max-notional': limit('Largest quantity × price of one order'),
    credit: limit('Largest gross notional let through in one trading day'),
    'collar-pct': limit('Half-width of the price band around the reference price, in percent'),
    'collar-abs': limit('Least half-width of the price band, in price units'),
    'message-rate': limit('Orders let through per second (a whole number above 0)'),
    restrict: Flags.string({ description: 'Add a symbol to the restricted list (repeatable)', multiple: true, helpGroup: 'LIMITS' }),
    unrestrict: Flags.string({ description: 'Take a symbol off the restricted list (repeatable)', multiple: true, helpGroup: 'LIMITS' }),
    'allow-without-reference': Flags.boolean({
      description: 'Let orders through when their symbol has no fresh reference price (--no-: refuse them)',
      allowNo: true,
      helpGroup: 'LIMITS',
    }),
    reason: Flags.string({ char: 'r', description: 'Why: it goes into the audit trail', required: true }),
    expires: Flags.string({ description: 'Make the change temporary: 30m, 2h, 1d' }),
    operator: retiredOperatorFlag,
    api: apiFlag(),
    wait: Flags.boolean({ description: 'Wait until risk_limits.v1 shows the change (up to 10 s)', default: true, allowNo: true }),
  }

  async run(): Promise<LimitsSetOutcome> {
    const { flags } = this
    const route = this.operatorRoute(flags.api)
    refuseOperatorFlag(flags.operator, route.identity, route.apiUrl)
    const input = {
      scope: this.args.scope,
      maxQty: flags['max-qty'],
      maxNotional: flags['max-notional'],
      credit: flags.credit,
      collarPct: flags['collar-pct'],
      collarAbs: flags['collar-abs'],
      messageRate: flags['message-rate'],
      allowWithoutReference: flags['allow-without-reference'],
      restrict: flags.restrict,
      unrestrict: flags.unrestrict,
      reason: flags.reason,
      expires: flags.expires,
    }
    return setLimits(input, route, { wait: flags.wait, signal: this.stopSignal() })
  }

  protected override render(outcome: LimitsSetOutcome): void {
    this.out.line(renderLimitsOutcome(outcome, this.out.style))
  }
}
