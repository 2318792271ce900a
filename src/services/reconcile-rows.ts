import { decodeJson, decodeOrder } from '../contracts/decode.js'
import { deadLetterSchema } from '../contracts/messages.js'
import type { AuditRecord } from '../domain/audit-record.js'
import type { Order } from '../domain/order.js'
import type { DecisionRow, GatedRow, LetterRow, OrderFacts, OrderRow } from '../domain/reconciliation.js'
import type { LogRecord } from '../log/port.js'
import { ORDERS } from '../../topologies/topics.js'

/** The rows reconciliation reads, from the records of each topic: one way, for `riskctl reconcile` and its tests. */
export function position(record: LogRecord): string {
  return `${record.partition}:${record.offset}`
}

function factsOf(order: Order): OrderFacts {
  return {
    account_id: order.account_id,
    symbol: order.symbol,
    strategy: order.strategy,
    side: order.side,
    qty: order.qty,
    price: order.price,
  }
}

/** A record of orders.v1, read as the router reads it. */
export function orderRow(record: LogRecord): OrderRow {
  const order = decodeOrder(record.value)
  return {
    at: position(record),
    partition: record.partition,
    offset: record.offset,
    order_id: order.ok ? order.value.order_id : undefined,
    ts: record.timestamp,
    facts: order.ok ? factsOf(order.value) : undefined,
  }
}

/** A record of orders.gated.v1: the order as it was forwarded. */
export function gatedRow(record: LogRecord): GatedRow {
  const order = decodeOrder(record.value)
  return {
    at: position(record),
    order_id: order.ok ? order.value.order_id : undefined,
    ts: record.timestamp,
    facts: order.ok ? factsOf(order.value) : undefined,
  }
}

/** A dead letter of an orders.v1 record; undefined for one of another topic, an error for one that is no letter. */
export function letterRow(record: LogRecord): LetterRow | undefined | { readonly error: string } {
  const letter = decodeJson(deadLetterSchema, record.value)
  if (!letter.ok) return { error: letter.error }
  return letter.value.source_topic === ORDERS
    ? { at: position(record), source: letter.value.offset }
    : undefined
}

/** An audit record that names an order, at its place on audit.v1. */
export function decisionRow(at: string, audit: AuditRecord): DecisionRow {
  return {
    at,
    order_offset: audit.order_offset,
    order_id: audit.order_id,
    decision: audit.decision,
    check: audit.check,
    account_id: audit.account_id,
    symbol: audit.symbol,
    strategy: audit.strategy,
    scope_matches: audit.scope_matches,
    ts: audit.ts,
  }
}
