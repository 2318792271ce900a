import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { Consumer } from '../../src/log/port.js'
import { AUDIT, KILL_STATE } from '../../topologies/topics.js'
import { sentAtOf } from './order-flow.js'

/** Epoch ms with a fraction: comparable across the bench's processes, finer than Date.now(). */
export const nowMs = (): number => performance.timeOrigin + performance.now()

export interface SeenState {
  readonly state: KillState
  /** The record's timestamp: the aggregator's clock when it applied the command, before its transaction. */
  readonly appliedMs: number
  /** When this reader (read_committed, as a router reads) had it. */
  readonly seenMs: number
}

interface FirstDrop {
  /** The router's clock when it decided the DROP (the audit's ts, whole ms). */
  decidedMs: number
  /** When this reader had the audit: the DROP is durable then. */
  seenMs: number
}

/**
 * Follows killswitch.state.v1 and audit.v1 as a router would (read_committed) and notes when each state
 * record and each kill's first DROP arrived, and every ALLOW of the watched accounts with the moment its
 * order was sent: enough to time a kill from its command to its first DROP, and to check that no order sent
 * after a kill was confirmed got through.
 */
export class KillWatch {
  private readonly byCmd = new Map<string, SeenState>()
  private readonly byScope = new Map<string, SeenState[]>()
  private readonly drops = new Map<string, FirstDrop>()
  private readonly allowedSentMs = new Map<string, number[]>()
  private readonly decidedAccounts = new Set<string>()
  private stopped = false
  private readonly loop: Promise<void>

  constructor(
    private readonly consumer: Consumer,
    private readonly accounts: ReadonlySet<string>,
  ) {
    this.loop = this.follow()
  }

  state(cmdId: string): SeenState | undefined {
    return this.byCmd.get(cmdId)
  }

  /** The first state of `scope` with this status seen after `afterMs`. */
  stateOf(scope: string, status: KillState['status'], afterMs: number): SeenState | undefined {
    return this.byScope.get(scope)?.find((seen) => seen.state.status === status && seen.seenMs > afterMs)
  }

  firstDrop(corrId: string): FirstDrop | undefined {
    return this.drops.get(corrId)
  }

  /** Whether the router has decided an order of every watched account. */
  get allDecided(): boolean {
    return this.decidedAccounts.size === this.accounts.size
  }

  /** ALLOWs of `account` whose order was sent within [fromMs, toMs). */
  allowedWithin(account: string, fromMs: number, toMs: number): number {
    return (this.allowedSentMs.get(account) ?? []).filter((sent) => sent >= fromMs && sent < toMs).length
  }

  async until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined || Date.now() > deadline) return value
      if (this.stopped) throw new Error(`stopped while waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
    await this.consumer.close()
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      const records = await this.consumer.poll({ maxRecords: 5000, maxWaitMs: 20 })
      const seenMs = nowMs()
      for (const record of records) {
        if (record.value === null) continue
        if (record.topic === KILL_STATE) this.noteState(JSON.parse(record.value.toString()) as KillState, record.timestamp, seenMs)
        else if (record.topic === AUDIT) this.noteAudit(JSON.parse(record.value.toString()) as AuditRecord, seenMs)
      }
    }
  }

  private noteState(state: KillState, appliedMs: number, seenMs: number): void {
    const seen = { state, appliedMs, seenMs }
    this.byCmd.set(state.last_cmd_id, seen)
    const scope = this.byScope.get(state.scope)
    if (scope === undefined) this.byScope.set(state.scope, [seen])
    else scope.push(seen)
  }

  private noteAudit(audit: AuditRecord, seenMs: number): void {
    if (audit.service !== 'router' || !this.accounts.has(audit.account_id)) return
    this.decidedAccounts.add(audit.account_id)
    if (audit.decision === 'DROP') {
      // Partitions arrive in any order: the first DROP is the earliest decided, whenever it was read.
      const known = this.drops.get(audit.corr_id)
      if (known === undefined) this.drops.set(audit.corr_id, { decidedMs: audit.ts, seenMs })
      else {
        known.decidedMs = Math.min(known.decidedMs, audit.ts)
        known.seenMs = Math.min(known.seenMs, seenMs)
      }
    } else if (audit.decision === 'ALLOW') {
      const sent = sentAtOf(audit.order_id)
      if (sent === undefined) return
      const sentMs = this.allowedSentMs.get(audit.account_id)
      if (sentMs === undefined) this.allowedSentMs.set(audit.account_id, [sent])
      else sentMs.push(sent)
    }
  }
}
