import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderReconciliation } from '../src/cli/render-reconcile.js'
import { ExitCode } from '../src/errors.js'
import { parsePeriod } from '../src/time-span.js'
import {
  DEFAULT_GRACE_MS,
  DEFAULT_STALL_MS,
  reconcileLog,
  type ReconcileReport,
} from '../src/services/reconcile.js'

export default class Reconcile extends BaseCommand<typeof Reconcile, ReconcileReport> {
  static override summary =
    'Balance a period of orders against their decisions, dead letters and forwards; exit 5 with the differences.'
  static override description =
    "Every order on orders.v1 appended in the period must have exactly one router decision on audit.v1 or one dead letter on dlq.v1 (orders past the router's committed position may still be pending); orders.gated.v1 must hold exactly the ALLOWs; no order of a scope may be ALLOWed once the aggregator's KILL of it is older than --grace; every audit record and dead letter must read as its contract says. Prints the balance (orders, decisions by outcome and check, drops per scope) and every break by order_id and position. Exits 0 when it balances, 5 when it does not."
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> reconcile',
    '<%= config.bin %> reconcile --from 1h',
    '<%= config.bin %> reconcile --from 2026-12-07T09:00:00Z --to 2026-12-07T10:00:00Z --json',
  ]
  static override flags = {
    from: Flags.string({
      description: 'Orders from this time: ISO, epoch ms, or 30s / 10m / 2h / 1d ago',
      default: '1d',
    }),
    to: Flags.string({ description: 'Orders up to this time (default: now)' }),
    grace: Flags.integer({
      description: 'Ms a router may take to see a KILL before an ALLOW of its scope is a break',
      default: DEFAULT_GRACE_MS,
      min: 0,
    }),
    stall: Flags.integer({
      description: 'Ms an order may wait for its decision before it is a break (no router deciding it)',
      default: DEFAULT_STALL_MS,
      min: 0,
    }),
  }

  async run(): Promise<ReconcileReport> {
    const now = Date.now()
    const report = await reconcileLog(await this.openLog(), this.settings.backend.dataDir, {
      ...parsePeriod(this.flags.from, this.flags.to, now),
      graceMs: this.flags.grace,
      stallMs: this.flags.stall,
    })
    return report
  }

  protected override exitCodeOf(report: ReconcileReport): ExitCode {
    return report.balanced ? ExitCode.ok : ExitCode.precondition
  }

  protected override render(report: ReconcileReport): void {
    this.out.line(renderReconciliation(report, this.out.style))
  }
}
