import type { KillState, KillStatus } from './kill-status.js'
import type { Order } from './order.js'
import type { RecentIds } from './recent-ids.js'
import { parseScope } from './scope.js'

/** The kill state as the decision reads it: lookups only, so nothing that decides an order can change it. */
export interface KillStateView {
  readonly size: number
  globalState(): KillState | undefined
  accountState(accountId: string): KillState | undefined
  symbolState(symbol: string): KillState | undefined
  strategyState(strategy: string): KillState | undefined
  get(scope: string): KillState | undefined
  activeKills(): KillState[]
  all(): KillState[]
}

/**
 * The latest kill state per scope, as the router holds it. Indexed by scope kind and raw id so that the hot
 * path looks an order's scopes up by its own fields, without building the scope strings scopesForOrder would
 * (the results are the same: a state for ACCOUNT:<id> matches exactly the orders scopesForOrder maps to it).
 */
export class KillStateTable implements KillStateView {
  private global: KillState | undefined
  private readonly accounts = new Map<string, KillState>()
  private readonly symbols = new Map<string, KillState>()
  private readonly strategies = new Map<string, KillState>()

  /** Records the latest state for its scope. False (and nothing recorded) if the scope does not parse. */
  apply(state: KillState): boolean {
    const parsed = parseScope(state.scope)
    if (!parsed.ok) return false
    const scope = parsed.scope
    if (scope.kind === 'GLOBAL') this.global = state
    else this.byKind(scope.kind).set(scope.id, state)
    return true
  }

  /** For a tombstone on the compacted topic. */
  remove(scope: string): boolean {
    const parsed = parseScope(scope)
    if (!parsed.ok) return false
    if (parsed.scope.kind !== 'GLOBAL') return this.byKind(parsed.scope.kind).delete(parsed.scope.id)
    const had = this.global !== undefined
    this.global = undefined
    return had
  }

  get(scope: string): KillState | undefined {
    const parsed = parseScope(scope)
    if (!parsed.ok) return undefined
    return parsed.scope.kind === 'GLOBAL' ? this.global : this.byKind(parsed.scope.kind).get(parsed.scope.id)
  }

  get size(): number {
    return (this.global === undefined ? 0 : 1) + this.accounts.size + this.symbols.size + this.strategies.size
  }

  /** Every KILLED scope, GLOBAL first, then accounts, symbols and strategies. */
  activeKills(): KillState[] {
    const killed: KillState[] = []
    if (this.global?.status === 'KILLED') killed.push(this.global)
    for (const map of [this.accounts, this.symbols, this.strategies]) {
      for (const state of map.values()) if (state.status === 'KILLED') killed.push(state)
    }
    return killed
  }

  /** Every scope's state, GLOBAL first, then accounts, symbols and strategies. */
  all(): KillState[] {
    const states = this.global === undefined ? [] : [this.global]
    for (const map of [this.accounts, this.symbols, this.strategies]) states.push(...map.values())
    return states
  }

  globalState(): KillState | undefined {
    return this.global
  }

  accountState(accountId: string): KillState | undefined {
    return this.accounts.get(accountId)
  }

  symbolState(symbol: string): KillState | undefined {
    return this.symbols.get(symbol)
  }

  strategyState(strategy: string): KillState | undefined {
    return this.strategies.get(strategy)
  }

  private byKind(kind: 'ACCOUNT' | 'SYMBOL' | 'STRATEGY'): Map<string, KillState> {
    return kind === 'ACCOUNT' ? this.accounts : kind === 'SYMBOL' ? this.symbols : this.strategies
  }
}

interface MeterEntry {
  second: number
  count: number
  corrId: string
}

/**
 * Orders let through per throttled scope in the current second. A new throttle (a new corr_id) starts from
 * zero. The second never moves back: an order from an earlier second counts against the current one, so
 * out-of-order timestamps cannot reopen a spent second.
 */
export class ThrottleMeter {
  private readonly entries = new Map<string, MeterEntry>()

  /** Orders already let through for this throttle in the second of nowMs. */
  used(scope: string, corrId: string, nowMs: number): number {
    const entry = this.entries.get(scope)
    if (entry === undefined || entry.corrId !== corrId || secondOf(nowMs) > entry.second) return 0
    return entry.count
  }

  hasRoom(scope: string, corrId: string, maxPerSecond: number, nowMs: number): boolean {
    return this.used(scope, corrId, nowMs) < maxPerSecond
  }

  record(scope: string, corrId: string, nowMs: number): void {
    const second = secondOf(nowMs)
    const entry = this.entries.get(scope)
    if (entry === undefined) {
      this.entries.set(scope, { second, count: 1, corrId })
    } else if (entry.corrId !== corrId || second > entry.second) {
      entry.second = second
      entry.count = 1
      entry.corrId = corrId
    } else {
      entry.count++
    }
  }

  /** For a scope that is no longer throttled. */
  forget(scope: string): void {
    this.entries.delete(scope)
  }

  get size(): number {
    return this.entries.size
  }
}

function secondOf(ms: number): number {
  return Math.floor(ms / 1000)
}

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
  table: KillStateView,
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
  if (table.size === 0) return allowWithoutState()
  const global = table.globalState()
  const account = table.accountState(order.account_id)
  const symbol = table.symbolState(order.symbol)
  const strategy = table.strategyState(order.strategy)
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
