import type { AuditRecord } from '../../src/domain/audit-record.js'

/**
 * Follows the router's audit records of the runaway accounts: each account's first DROP, and how
 * many of its orders after the breaching one were still ALLOWed (leakage). Order ids end in their
 * sequence number, as runawaySchedule makes them.
 */
export class BreachWatch {
  private readonly firstDrop = new Map<string, number>()
  private readonly allowedAfterBreach = new Map<string, number>()

  constructor(
    private readonly accountPrefix: string,
    private readonly breachSeq: number,
  ) {}

  /** For the router's onBatch. */
  readonly observe = (audits: readonly AuditRecord[]): void => {
    for (const audit of audits) {
      if (!audit.account_id.startsWith(this.accountPrefix)) continue
      // The kill's drop, not a pre-trade check's: the breach is measured to the kill switch.
      if (audit.decision === 'DROP' && audit.killswitch_status === 'KILLED' && !this.firstDrop.has(audit.account_id)) {
        this.firstDrop.set(audit.account_id, audit.ts)
      }
      const seq = Number(audit.order_id.split('-').at(-1))
      if (audit.decision === 'ALLOW' && seq > this.breachSeq) {
        this.allowedAfterBreach.set(audit.account_id, (this.allowedAfterBreach.get(audit.account_id) ?? 0) + 1)
      }
    }
  }

  get dropped(): number {
    return this.firstDrop.size
  }

  /** Breach to first DROP per account, sorted; an account never dropped counts as infinitely late. */
  latencies(breachTs: ReadonlyMap<string, number>): number[] {
    return [...breachTs]
      .map(([account, ts]) => (this.firstDrop.get(account) ?? Number.POSITIVE_INFINITY) - ts)
      .sort((a, b) => a - b)
  }

  /** Orders ALLOWed after the breach per account, sorted. */
  leaks(breachTs: ReadonlyMap<string, number>): number[] {
    return [...breachTs.keys()].map((account) => this.allowedAfterBreach.get(account) ?? 0).sort((a, b) => a - b)
  }
}
