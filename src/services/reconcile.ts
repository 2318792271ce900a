import type { AuditRecord } from '../domain/audit-record.js'
import type { KillStatus } from '../domain/kill-status.js'
import {
  reconcile,
  type DamagedRow,
  type DecisionRow,
  type GatedRow,
  type LetterRow,
  type OrderRow,
  type Reconciliation,
  type ScopeChange,
} from '../domain/reconciliation.js'
import { assertPeriod } from '../time-span.js'
import type { EventLog } from '../log/port.js'
import { ROUTER_GROUP } from '../../topologies/groups.js'
import { AUDIT, DEAD_LETTERS, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import { AuditIndex, type IndexedAudit } from './audit-index/audit-index.js'
import { readPositions, searchLog } from './log-search.js'
import { decisionRow, gatedRow, letterRow, orderRow, position } from './reconcile-rows.js'

export interface ReconcileOptions {
  /** Epoch ms: orders appended at or after. */
  readonly fromMs: number
  /** Epoch ms: orders appended at or before. */
  readonly toMs: number
  readonly graceMs: number
  /** An order undecided this long after it was appended is a break (no router is deciding it). */
  readonly stallMs: number
}

export interface ReconcileReport extends Reconciliation {
  readonly from: number
  readonly to: number
  readonly grace_ms: number
  readonly stall_ms: number
}

/** A KILL older than this has reached any router: an ALLOW of its scope after it is a break. */
export const DEFAULT_GRACE_MS = 1000
/** An order undecided this long after it was appended has no router deciding it. */
export const DEFAULT_STALL_MS = 30_000

/**
 * How far before the period decisions, dead letters and forwards are read: a client's clock ahead of the log's puts
 * an order's time after its decision's. An hour covers any clock the router would not refuse.
 */
const LOOKBACK_MS = 60 * 60_000

/**
 * Balances orders.v1 of a period against audit.v1, dlq.v1 and orders.gated.v1. The router's committed position is
 * read first: every order before it had its decision made durable with that commit, so it must be there when read.
 */
export async function reconcileLog(
  log: EventLog,
  dataDir: string,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  assertPeriod(options.fromMs, options.toMs)
  const committed = new Map(
    (await log.committedOffsets(ROUTER_GROUP, ORDERS)).map((p) => [p.partition, p.offset]),
  )
  const since = options.fromMs - LOOKBACK_MS
  const damaged: DamagedRow[] = []
  const { decisions, changes } = await AuditIndex.use(log, dataDir, (index) => {
    damaged.length = 0
    for (const row of index.damaged(options.fromMs)) {
      if (row.ts <= options.toMs)
        damaged.push({ topic: AUDIT, at: `${row.partition}:${row.offset}`, error: row.error })
    }
    return {
      // Any record that names an order is a decision of it, whoever it says wrote it.
      decisions: index
        .decisionsSince(since)
        .filter((found) => found.audit.order_id !== '')
        .map((found) => decisionRow(`${found.partition}:${found.offset}`, found.audit)),
      changes: index.appliedCommands().flatMap(scopeChange),
    }
  })
  const orders: OrderRow[] = []
  await searchLog(
    log,
    ORDERS,
    { start: { type: 'timestamp', timestamp: options.fromMs }, untilTs: options.toMs },
    (record) => {
      orders.push(orderRow(record))
      return false
    },
  )
  const letters: LetterRow[] = []
  await searchLog(log, DEAD_LETTERS, { start: { type: 'timestamp', timestamp: since } }, (record) => {
    const letter = letterRow(record)
    if (letter !== undefined && 'error' in letter) {
      if (record.timestamp >= options.fromMs && record.timestamp <= options.toMs)
        damaged.push({ topic: DEAD_LETTERS, at: position(record), error: letter.error })
    } else if (letter !== undefined) letters.push(letter)
    return false
  })
  const gated: GatedRow[] = []
  await searchLog(log, ORDERS_GATED, { start: { type: 'timestamp', timestamp: since } }, (record) => {
    gated.push(gatedRow(record))
    return false
  })
  const elsewhere = await ordersNamedElsewhere(log, orders, decisions, options)
  const result = reconcile({
    orders,
    elsewhere,
    decisions,
    letters,
    gated,
    changes,
    committed,
    damaged,
    fromMs: options.fromMs,
    toMs: options.toMs,
    graceMs: options.graceMs,
    stallMs: options.stallMs,
    nowMs: Date.now(),
  })
  return {
    ...result,
    from: options.fromMs,
    to: options.toMs,
    grace_ms: options.graceMs,
    stall_ms: options.stallMs,
  }
}

/** The orders at the positions that decisions of the period name outside it, read where they are. */
async function ordersNamedElsewhere(
  log: EventLog,
  orders: readonly OrderRow[],
  decisions: readonly DecisionRow[],
  options: ReconcileOptions,
): Promise<OrderRow[]> {
  const inPeriod = new Set(orders.map((order) => order.at))
  const named = new Set<string>()
  for (const decision of decisions) {
    if (decision.order_offset === undefined || inPeriod.has(decision.order_offset)) continue
    if (decision.ts >= options.fromMs && decision.ts <= options.toMs) named.add(decision.order_offset)
  }
  const found = await readPositions(log, ORDERS, named)
  return [...found.values()].map(orderRow)
}

const KILL_SWITCH_CHANGE = /^APPLIED (KILL|UNKILL|THROTTLE) /

/** A kill-switch change from the aggregator's APPLIED audit (a limits change is not one). */
function scopeChange(found: IndexedAudit): ScopeChange[] {
  const audit: AuditRecord = found.audit
  const scope = audit.scope_matches[0]
  if (scope === undefined || !KILL_SWITCH_CHANGE.test(audit.reason)) return []
  const status: KillStatus = audit.killswitch_status
  return [{ scope, status, ts: audit.ts }]
}
