import type { AuditRecord } from '../domain/audit-record.js'
import { decodeOrder } from '../contracts/decode.js'
import type { RecentIds } from '../domain/recent-ids.js'
import type { KillStateView } from '../domain/kill-state-table.js'
import { decideOrder, type PretradeContext } from '../domain/order-decision.js'
import type { ThrottleMeter } from '../domain/throttle-meter.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { AUDIT, RISK_SIGNALS } from '../../topologies/topics.js'
import type { CreditWarning } from '../domain/pretrade/credit-ledger.js'
import type { CreditWarningSignal } from '../domain/risk-signal.js'
import { deadLetter, encode } from './topic-codec.js'

export const ROUTER_SERVICE = 'router'

export interface RoutedBatch {
  readonly audits: ProduceRecord[]
  readonly gated: ProduceRecord[]
  readonly deadLetters: ProduceRecord[]
  /** Credit warnings (risk_signals.v1) of orders let through: written with their decisions, or not at all. */
  readonly signals: ProduceRecord[]
  /** The same warnings as values, for counting (they are few: at most three per account and day). */
  readonly creditWarnings: CreditWarningSignal[]
  /** The audit records as values, only when asked for (a listener): on the hot path each is just encoded. */
  readonly auditValues: AuditRecord[] | undefined
  readonly allowed: number
  readonly dropped: number
  readonly duplicates: number
}

/**
 * The router's step over one batch of orders.v1, the same in every runtime: each record ends as exactly one
 * audit record (with the order forwarded when ALLOWed) or one dead letter. Reads the kill state through a
 * view it cannot change; spends throttle budget and remembers order_ids (tentatively, in `decided`).
 */
export function routeBatch(
  view: KillStateView,
  meter: ThrottleMeter,
  decided: RecentIds,
  batch: readonly LogRecord[],
  nowMs: number,
  keepAudits = false,
  pretrade?: PretradeContext,
): RoutedBatch {
  const audits: ProduceRecord[] = []
  const auditValues: AuditRecord[] | undefined = keepAudits ? [] : undefined
  const gated: ProduceRecord[] = []
  const deadLetters: ProduceRecord[] = []
  const signals: ProduceRecord[] = []
  const creditWarnings: CreditWarningSignal[] = []
  let allowed = 0
  let dropped = 0
  let duplicates = 0
  for (const record of batch) {
    const decoded = decodeOrder(record.value)
    if (!decoded.ok) {
      deadLetters.push(deadLetter(record, decoded.error, nowMs))
      continue
    }
    const order = decoded.value
    const decision = decideOrder(order, view, meter, decided, nowMs, pretrade)
    const audit: AuditRecord = {
      ts: nowMs,
      decision: decision.decision,
      order_id: order.order_id,
      account_id: order.account_id,
      symbol: order.symbol,
      strategy: order.strategy,
      scope_matches: decision.scope_matches,
      killswitch_status: decision.killswitch_status,
      reason: decision.reason,
      corr_id: decision.corr_id,
      check: decision.check,
      order_offset: `${record.partition}:${record.offset}`,
      // Last, so that a restart can tell the router's audits from the aggregator's by their final bytes.
      service: ROUTER_SERVICE,
    }
    auditValues?.push(audit)
    audits.push(encode(AUDIT, audit, { timestamp: nowMs }))
    if (decision.decision === 'ALLOW') {
      allowed += 1
      // The order as it arrived, byte for byte: the router decides, it does not rewrite. Stamped with the router's
      // clock at the decision, the time its spending counted at: a restart reads credit, rate and window back by it.
      gated.push({ key: order.account_id, value: record.value, timestamp: nowMs })
      if (decision.warning !== undefined) {
        const warning = creditWarningSignal(decision.warning, nowMs)
        creditWarnings.push(warning)
        signals.push(encode(RISK_SIGNALS, warning, { timestamp: nowMs }))
      }
    } else if (decision.decision === 'DROP') {
      dropped += 1
    } else {
      duplicates += 1
    }
  }
  return { audits, gated, deadLetters, signals, creditWarnings, auditValues, allowed, dropped, duplicates }
}

function creditWarningSignal(warning: CreditWarning, nowMs: number): CreditWarningSignal {
  return {
    ts: nowMs,
    signal: 'CREDIT_WARNING',
    account_id: warning.account_id,
    percent: Math.round(warning.step * 100),
    used_notional: warning.used,
    credit_limit: warning.limit,
    day_start: warning.dayStart,
  }
}

const ROUTER_AUDIT_END = Buffer.from(`"service":"${ROUTER_SERVICE}"}`)

/**
 * Remembers the order_ids the router decided, from audit.v1 records (keyed by order_id): how a restarted
 * router, or one that took over a partition, knows a re-sent order. The aggregator's audits are told apart by
 * their last field without parsing each record.
 */
export function rememberDecided(decided: RecentIds, records: readonly LogRecord[]): void {
  for (const record of records) {
    const value = record.value
    if (record.key === null || value === null || value.length < ROUTER_AUDIT_END.length) continue
    if (
      value.compare(ROUTER_AUDIT_END, 0, ROUTER_AUDIT_END.length, value.length - ROUTER_AUDIT_END.length) !==
      0
    )
      continue
    decided.add(record.key, record.timestamp)
  }
}
