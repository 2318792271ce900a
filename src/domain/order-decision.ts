import type { KillState, KillStatus } from './kill-status.js'
import type { KillStateView } from './kill-state-table.js'
import type { Order } from './order.js'
import type { RecentIds } from './recent-ids.js'
import type { ThrottleMeter } from './throttle-meter.js'
import type { CheckCode } from './pretrade/check-codes.js'
import type { CreditWarning } from './pretrade/credit-ledger.js'
import type { LimitsView } from './pretrade/limits-table.js'
import { judgeAndSpend, type PretradeSpending, type PretradeView } from './pretrade/pretrade-check.js'

export type RouterDecision = 'ALLOW' | 'DROP' | 'DUPLICATE'

export interface OrderDecision {
  readonly decision: RouterDecision
  /** The order's scopes that have a state record, GLOBAL, ACCOUNT, SYMBOL, STRATEGY. */
  readonly scope_matches: string[]
  readonly killswitch_status: KillStatus
  readonly reason: string
  /** The corr_id of the state record that decided the order, or '' if none did. */
  readonly corr_id: string
  /** The check that decided (ADR 0014); null when the order was let through. */
  readonly check: CheckCode | null
  /** The step of the credit ladder this order's notional took its account over, if any. */
  readonly warning?: CreditWarning | undefined
}

export type RoutedOrder = Pick<Order, 'order_id' | 'account_id' | 'symbol' | 'strategy'>

/** What the pre-trade checks read and spend: the limits and prices to read, the spending to make. */
export interface PretradeContext {
  readonly limits: LimitsView
  readonly prices: PretradeView
  readonly spending: PretradeSpending
}

export const NO_STATE_REASON = 'no kill switch state for this order'

/**
 * The router's decision for one order, in the order of ADR 0014: a re-sent order_id is DUPLICATE (and uses no
 * budget); any KILLED scope drops it; then every THROTTLED scope must have room this second; then, with a pretrade
 * context, the pre-trade checks, the first failing of which drops it; otherwise ALLOW. Records order_id in
 * recentOrderIds, and spends throttle budget, credit, message budget and the duplicative window only for an order
 * it lets through. nowMs is the router's clock: every second, window and trading day is counted on it.
 */
export function decideOrder(order: RoutedOrder, view: KillStateView, meter: ThrottleMeter, recentOrderIds: RecentIds, nowMs: number): OrderDecision
export function decideOrder(
  order: Order,
  view: KillStateView,
  meter: ThrottleMeter,
  recentOrderIds: RecentIds,
  nowMs: number,
  pretrade: PretradeContext | undefined,
): OrderDecision
export function decideOrder(
  order: RoutedOrder | Order,
  view: KillStateView,
  meter: ThrottleMeter,
  recentOrderIds: RecentIds,
  nowMs: number,
  pretrade?: PretradeContext,
): OrderDecision {
  if (!recentOrderIds.add(order.order_id, nowMs)) {
    return {
      decision: 'DUPLICATE',
      scope_matches: [],
      killswitch_status: 'ACTIVE',
      reason: `DUPLICATE: order_id ${order.order_id} was already decided`,
      corr_id: '',
      check: 'DUPLICATE_ORDER_ID',
    }
  }
  const matched = view.size === 0 ? NONE : matchedStates(order, view)
  const stopped = killSwitchDrop(matched, meter, nowMs)
  if (stopped !== undefined) return stopped
  const firstThrottle = matched.find((state) => state.status === 'THROTTLED')
  let warning: CreditWarning | undefined
  if (pretrade !== undefined) {
    // Only an Order reaches here: the overloads give a pretrade context with a whole order only.
    const whole = order as Order
    const limits = pretrade.limits.limitsFor(whole.account_id, nowMs)
    const judged = judgeAndSpend(whole, limits, pretrade.prices, pretrade.spending, nowMs)
    if (judged.failure !== undefined) {
      return {
        decision: 'DROP',
        scope_matches: matched.map((state) => state.scope),
        killswitch_status: firstThrottle === undefined ? 'ACTIVE' : 'THROTTLED',
        reason: judged.failure.reason,
        corr_id: '',
        check: judged.failure.check,
      }
    }
    warning = judged.warning
  }
  if (matched.length === 0) return allowWithoutState(warning)
  const scopeMatches = matched.map((state) => state.scope)
  if (firstThrottle !== undefined) {
    // Spent only once every check has passed: a dropped order did not reach the market.
    for (const state of matched) if (state.status === 'THROTTLED') meter.record(state.scope, state.corr_id, nowMs)
    return {
      decision: 'ALLOW',
      scope_matches: scopeMatches,
      killswitch_status: 'THROTTLED',
      reason: `THROTTLED: ${firstThrottle.scope} within ${firstThrottle.max_orders_per_sec ?? 0} orders/s`,
      corr_id: firstThrottle.corr_id,
      check: null,
      warning,
    }
  }

  // All ACTIVE. The most recently changed record is the one that let this order through (after an UNKILL,
  // the unkilled scope), so its corr_id links kill, drops, unkill and allows; ties go to the more general.
  let latest = matched[0]!
  for (const state of matched) if (state.updated_ts > latest.updated_ts) latest = state
  return {
    decision: 'ALLOW',
    scope_matches: scopeMatches,
    killswitch_status: 'ACTIVE',
    reason: `ACTIVE: ${latest.scope} (${latest.reason})`,
    corr_id: latest.corr_id,
    check: null,
    warning,
  }
}

const NONE: readonly KillState[] = []

/** The states of the order's scopes, GLOBAL, ACCOUNT, SYMBOL, STRATEGY: most orders have none. */
function matchedStates(order: RoutedOrder, view: KillStateView): readonly KillState[] {
  const global = view.globalState()
  const account = view.accountState(order.account_id)
  const symbol = view.symbolState(order.symbol)
  const strategy = view.strategyState(order.strategy)
  if (global === undefined && account === undefined && symbol === undefined && strategy === undefined) return NONE
  const matched: KillState[] = []
  if (global !== undefined) matched.push(global)
  if (account !== undefined) matched.push(account)
  if (symbol !== undefined) matched.push(symbol)
  if (strategy !== undefined) matched.push(strategy)
  return matched
}

/** The DROP a kill or a full throttle makes of the order, if one does: these keep precedence over every check. */
function killSwitchDrop(matched: readonly KillState[], meter: ThrottleMeter, nowMs: number): OrderDecision | undefined {
  for (const state of matched) {
    if (state.status === 'KILLED') {
      return {
        decision: 'DROP',
        scope_matches: matched.map((s) => s.scope),
        killswitch_status: 'KILLED',
        reason: `KILLED: ${state.scope} (${state.reason})`,
        corr_id: state.corr_id,
        check: 'KILL_SWITCH',
      }
    }
  }
  for (const state of matched) {
    if (state.status !== 'THROTTLED') continue
    const cap = state.max_orders_per_sec
    if (cap === undefined || !meter.hasRoom(state.scope, state.corr_id, cap, nowMs)) {
      return {
        decision: 'DROP',
        scope_matches: matched.map((s) => s.scope),
        killswitch_status: 'THROTTLED',
        // A throttle without a cap is malformed; letting everything through would fail open.
        reason:
          cap === undefined
            ? `THROTTLED: ${state.scope} has no max_orders_per_sec`
            : `THROTTLED: ${state.scope} over ${cap} orders/s`,
        corr_id: state.corr_id,
        check: 'THROTTLE',
      }
    }
  }
  return undefined
}

function allowWithoutState(warning: CreditWarning | undefined): OrderDecision {
  return {
    decision: 'ALLOW',
    scope_matches: [],
    killswitch_status: 'ACTIVE',
    reason: NO_STATE_REASON,
    corr_id: '',
    check: null,
    warning,
  }
}
