import type { Order } from '../order.js'
import type { CreditLedger, CreditWarning } from './credit-ledger.js'
import type { DuplicativeWindow } from './duplicative-window.js'
import type { MessageRateMeter } from './message-rate.js'
import { readOnlyChecks, type CheckFailure, type ReferencePrice } from './order-checks.js'
import type { EffectiveLimits } from './risk-limits.js'

/** What the checks read: reference prices as the prices topic last said, and how old one may be. */
export interface PretradeView {
  referencePrice(symbol: string): ReferencePrice | undefined
  readonly maxReferenceAgeMs: number
}

/** What the checks spend when an order is let through: all tentative, undone together on a failed write. */
export interface PretradeSpending {
  readonly credit: CreditLedger
  readonly duplicative: DuplicativeWindow
  readonly messageRate: MessageRateMeter
}

/**
 * Every pre-trade check of an order, in the order of ADR 0014 (4 to 13): the first failure, or undefined when it
 * passes them all. Spends nothing: the caller spends (spendPretrade) once the order is let through, so that a
 * dropped order uses no credit and no message budget and makes no later order duplicative.
 */
export function pretradeCheck(
  order: Order,
  limits: EffectiveLimits,
  view: PretradeView,
  spending: PretradeSpending,
  nowMs: number,
): CheckFailure | undefined {
  const failure = readOnlyChecks(order, limits, view.referencePrice(order.symbol), nowMs, view.maxReferenceAgeMs)
  return failure ?? spendingChecks(order, limits, spending, nowMs)
}

/** The checks against what was spent (ADR 0014, 11 to 13). */
function spendingChecks(
  order: Order,
  limits: EffectiveLimits,
  spending: PretradeSpending,
  nowMs: number,
): CheckFailure | undefined {
  const earlier = spending.duplicative.windowMs > 0 ? spending.duplicative.within(order, nowMs) : undefined
  if (earlier !== undefined) {
    return {
      check: 'DUPLICATIVE',
      reason: `DUPLICATIVE: the same ${order.side} ${order.qty} ${order.symbol} @ ${order.price} was let through ${Math.max(0, nowMs - earlier)} ms ago`,
    }
  }
  const rate = limits.message_rate
  if (rate !== undefined && spending.messageRate.used(order.account_id, nowMs) >= rate) {
    return { check: 'MESSAGE_RATE', reason: `MESSAGE_RATE: ${order.account_id} over ${rate} orders/s` }
  }
  const credit = limits.credit_limit
  const notional = order.qty * order.price
  if (credit !== undefined && spending.credit.wouldExceed(order.account_id, notional, credit, nowMs)) {
    const used = spending.credit.used(order.account_id, nowMs)
    return {
      check: 'CREDIT_LIMIT',
      reason: `CREDIT_LIMIT: ${order.account_id} has used ${used} of ${credit} today; this order is ${notional}`,
    }
  }
  return undefined
}

/** Spends what a let-through order uses; the credit warning it crosses into, if any. */
export function spendPretrade(
  order: Order,
  limits: EffectiveLimits,
  spending: PretradeSpending,
  nowMs: number,
): CreditWarning | undefined {
  return spend(order, limits, spending, nowMs)
}

export type Judged = { readonly failure: CheckFailure; readonly warning?: undefined } | { readonly failure?: undefined; readonly warning: CreditWarning | undefined }

/** pretradeCheck, then spendPretrade when the order passes: the router's path, in one call. */
export function judgeAndSpend(
  order: Order,
  limits: EffectiveLimits,
  view: PretradeView,
  spending: PretradeSpending,
  nowMs: number,
): Judged {
  const failure = readOnlyChecks(order, limits, view.referencePrice(order.symbol), nowMs, view.maxReferenceAgeMs)
  if (failure !== undefined) return { failure }
  const spent = spendingChecks(order, limits, spending, nowMs)
  return spent === undefined ? { warning: spend(order, limits, spending, nowMs) } : { failure: spent }
}

function spend(
  order: Order,
  limits: EffectiveLimits,
  spending: PretradeSpending,
  nowMs: number,
): CreditWarning | undefined {
  // A window of no length holds nothing, and a rate nobody caps needs no count: a cap set later starts its count at
  // its first second. Credit is counted always: a limit set late in the day is held against the whole day.
  if (spending.duplicative.windowMs > 0) spending.duplicative.allow(order, nowMs)
  if (limits.message_rate !== undefined) spending.messageRate.allow(order.account_id, nowMs)
  return spending.credit.spend(order.account_id, order.qty * order.price, limits.credit_limit, nowMs)
}
