import type { KillState, KillStatus } from './kill-status.js'
import type { KillStateView } from './kill-state-table.js'
import type { Order } from './order.js'
import type { RecentIds } from './recent-ids.js'
import type { ThrottleMeter } from './throttle-meter.js'

export type RouterDecision = 'ALLOW' | 'DROP' | 'DUPLICATE'

export interface OrderDecision {
  readonly decision: RouterDecision
  /** The order's scopes that have a state record, GLOBAL, ACCOUNT, SYMBOL, STRATEGY. */
  readonly scope_matches: string[]
  readonly killswitch_status: KillStatus
  readonly reason: string
  /** The corr_id of the state record that decided the order, or '' if none did. */
  readonly corr_id: string
}

export type RoutedOrder = Pick<Order, 'order_id' | 'account_id' | 'symbol' | 'strategy'>

export const NO_STATE_REASON = 'no kill switch state for this order'

/**
 * The router's decision for one order. Precedence: a re-sent order_id is DUPLICATE (and uses no throttle
 * budget); any KILLED scope drops it; then every THROTTLED scope must have room this second; otherwise ALLOW.
 * Records order_id in recentOrderIds and, when a throttle lets the order through, spends its budget.
 * nowMs is the router's clock: the throttle counts seconds on it, and the order_id is remembered as of it.
 */
export function decideOrder(
  order: RoutedOrder,
  view: KillStateView,
  meter: ThrottleMeter,
  recentOrderIds: RecentIds,
  nowMs: number,
): OrderDecision {
  if (!recentOrderIds.add(order.order_id, nowMs)) {
    return {
      decision: 'DUPLICATE',
      scope_matches: [],
      killswitch_status: 'ACTIVE',
      reason: `DUPLICATE: order_id ${order.order_id} was already decided`,
      corr_id: '',
    }
  }
  if (view.size === 0) return allowWithoutState()
  const global = view.globalState()
  const account = view.accountState(order.account_id)
  const symbol = view.symbolState(order.symbol)
  const strategy = view.strategyState(order.strategy)
  if (global === undefined && account === undefined && symbol === undefined && strategy === undefined) {
    return allowWithoutState()
  }

  // Only orders that some state governs get this far, so the arrays below are off the common path.
  const matched: KillState[] = []
  if (global !== undefined) matched.push(global)
  if (account !== undefined) matched.push(account)
  if (symbol !== undefined) matched.push(symbol)
  if (strategy !== undefined) matched.push(strategy)
  const scopeMatches = matched.map((state) => state.scope)

  for (const state of matched) {
    if (state.status === 'KILLED') {
      return {
        decision: 'DROP',
        scope_matches: scopeMatches,
        killswitch_status: 'KILLED',
        reason: `KILLED: ${state.scope} (${state.reason})`,
        corr_id: state.corr_id,
      }
    }
  }

  let firstThrottle: KillState | undefined
  for (const state of matched) {
    if (state.status !== 'THROTTLED') continue
    const cap = state.max_orders_per_sec
    if (cap === undefined || !meter.hasRoom(state.scope, state.corr_id, cap, nowMs)) {
      return {
        decision: 'DROP',
        scope_matches: scopeMatches,
        killswitch_status: 'THROTTLED',
        // A throttle without a cap is malformed; letting everything through would fail open.
        reason:
          cap === undefined
            ? `THROTTLED: ${state.scope} has no max_orders_per_sec`
            : `THROTTLED: ${state.scope} over ${cap} orders/s`,
        corr_id: state.corr_id,
      }
    }
    firstThrottle ??= state
  }
  if (firstThrottle !== undefined) {
    // Spent only once every throttle has room: a dropped order did not reach the market.
    for (const state of matched)
      if (state.status === 'THROTTLED') meter.record(state.scope, state.corr_id, nowMs)
    return {
      decision: 'ALLOW',
      scope_matches: scopeMatches,
      killswitch_status: 'THROTTLED',
      reason: `THROTTLED: ${firstThrottle.scope} within ${firstThrottle.max_orders_per_sec ?? 0} orders/s`,
      corr_id: firstThrottle.corr_id,
    }
  }

  // All ACTIVE. The most recently changed record is the one that let this order through (after an UNKILL,
  // the unkilled scope), so its corr_id links kill, drops, unkill and allows; ties go to the more general.
  let latest = matched[0]
  for (const state of matched)
    if (latest === undefined || state.updated_ts > latest.updated_ts) latest = state
  return {
    decision: 'ALLOW',
    scope_matches: scopeMatches,
    killswitch_status: 'ACTIVE',
    reason: latest === undefined ? NO_STATE_REASON : `ACTIVE: ${latest.scope} (${latest.reason})`,
    corr_id: latest?.corr_id ?? '',
  }
}

function allowWithoutState(): OrderDecision {
  return {
    decision: 'ALLOW',
    scope_matches: [],
    killswitch_status: 'ACTIVE',
    reason: NO_STATE_REASON,
    corr_id: '',
  }
}
