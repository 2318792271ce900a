import type { Order } from '../order.js'
import { MAX_EVALUABLE_NOTIONAL, type CheckCode } from './check-codes.js'
import type { EffectiveLimits } from './risk-limits.js'

/** A symbol's reference price as the router holds it: `at` is when the log took it, on the log's clock. */
export interface ReferencePrice {
  readonly price: number
  readonly at: number
}

export interface CheckFailure {
  readonly check: CheckCode
  readonly reason: string
}

export type PricedOrder = Pick<Order, 'symbol' | 'qty' | 'price'>

/**
 * The checks that only read (ADR 0014, 4 to 10), in their order: the first failure, or undefined when the order
 * passes them all. `nowMs` is the router's clock; `maxReferenceAgeMs` how old a reference price may be.
 */
export function readOnlyChecks(
  order: PricedOrder,
  limits: EffectiveLimits,
  reference: ReferencePrice | undefined,
  nowMs: number,
  maxReferenceAgeMs: number,
): CheckFailure | undefined {
  if (limits.unknown !== undefined) return { check: 'LIMITS_UNKNOWN', reason: `LIMITS_UNKNOWN: ${limits.unknown}` }
  const notional = order.qty * order.price
  // Also catches NaN and infinities, which compare false to everything: never judged, never let through.
  if (!(notional >= 0 && notional <= MAX_EVALUABLE_NOTIONAL) || !(order.qty > 0) || !(order.price > 0)) {
    return {
      check: 'ORDER_VALUE',
      reason: `ORDER_VALUE: ${order.qty} × ${order.price} is not a value the checks can judge (at most ${MAX_EVALUABLE_NOTIONAL})`,
    }
  }
  if (limits.restricted_symbols.has(order.symbol)) {
    return { check: 'RESTRICTED_SYMBOL', reason: `RESTRICTED_SYMBOL: ${order.symbol} is restricted` }
  }
  if (limits.max_order_qty !== undefined && order.qty > limits.max_order_qty) {
    return { check: 'MAX_ORDER_QTY', reason: `MAX_ORDER_QTY: ${order.qty} over ${limits.max_order_qty}` }
  }
  if (limits.max_order_notional !== undefined && notional > limits.max_order_notional) {
    return {
      check: 'MAX_ORDER_NOTIONAL',
      reason: `MAX_ORDER_NOTIONAL: ${notional} over ${limits.max_order_notional}`,
    }
  }
  return collarCheck(order, limits, reference, nowMs, maxReferenceAgeMs)
}

function collarCheck(
  order: PricedOrder,
  limits: EffectiveLimits,
  reference: ReferencePrice | undefined,
  nowMs: number,
  maxReferenceAgeMs: number,
): CheckFailure | undefined {
  // A reference from the future (a clock stepped back) is as unknown as a stale one: its age cannot be told.
  const fresh = reference !== undefined && reference.at <= nowMs && nowMs - reference.at <= maxReferenceAgeMs
  if (!fresh) {
    if (limits.allow_without_reference) return undefined
    const why = reference === undefined ? 'none' : `the last is ${Math.round((nowMs - reference.at) / 1000)} s old`
    return { check: 'NO_REFERENCE_PRICE', reason: `NO_REFERENCE_PRICE: ${order.symbol} has no fresh reference price (${why})` }
  }
  if (limits.collar_pct === undefined && limits.collar_abs === undefined) return undefined
  const band = collarBand(reference.price, limits.collar_pct, limits.collar_abs)
  if (order.price < band.low || order.price > band.high) {
    return {
      check: 'PRICE_COLLAR',
      reason: `PRICE_COLLAR: ${order.price} outside ${band.low}–${band.high} around ${reference.price}`,
    }
  }
  return undefined
}

/** The band around a reference: the wider of the percent and the absolute half-width, never below zero. */
export function collarBand(reference: number, pct: number | undefined, abs: number | undefined): { low: number; high: number } {
  const half = Math.max(pct === undefined ? 0 : (reference * pct) / 100, abs ?? 0)
  return { low: Math.max(0, reference - half), high: reference + half }
}
