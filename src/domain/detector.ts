import type { KillCommand } from './kill-command.js'
import type { Order } from './order.js'
import type { RiskSignal } from './risk-signal.js'
import type { DetectorSettings } from './detector-settings.js'
import {
  accountBreaches,
  type AccountFigures,
  describeAccountBreach,
  describeSymbolBreach,
  NO_BREACH,
  symbolBreached,
  type Breach,
  type RiskMetric,
} from './risk-rules.js'
import { accountScope, parseScope, symbolScope } from './scope.js'
import { NO_SYMBOL, SymbolTable } from './symbol-table.js'
import { WindowStore, type WindowMetrics } from './window-store.js'

/**
 * What the detector may ask for. There is deliberately no action field: the type cannot say UNKILL or
 * THROTTLE, because only an operator restores or rations access. The I/O layer assigns cmd_id and corr_id.
 */
export interface KillRequest {
  readonly scope: string
  readonly reason: string
  readonly metric: RiskMetric
  readonly value: number
  readonly ts: number
}

export interface DetectorOutput {
  readonly signals: readonly RiskSignal[]
  readonly kills: readonly KillRequest[]
}

export interface Observation extends DetectorOutput {
  /** The order was too old for its window (or predates an unkill) and was not counted. */
  readonly late: boolean
}

export type DetectorOrder = Pick<Order, 'ts' | 'account_id' | 'symbol' | 'qty' | 'price'>

export const DETECTOR_SOURCE = 'detector'

/**
 * The most one order adds to a window's notional ($1 quadrillion): far above any real order, far below where a
 * window's sum could overflow to Infinity. The Spark job caps at the same value.
 */
export const MAX_ORDER_NOTIONAL = 1e15

export function killCommandFromRequest(
  request: KillRequest,
  ids: { readonly cmdId: string; readonly corrId: string },
): KillCommand {
  return {
    cmd_id: ids.cmdId,
    ts: request.ts,
    scope: request.scope,
    // Spelled out rather than taken from the request, so nothing a request carries can turn into an UNKILL.
    action: 'KILL',
    reason: request.reason,
    triggered_by: DETECTOR_SOURCE,
    metric: request.metric,
    value: request.value,
    corr_id: ids.corrId,
  }
}

/** One tracked account or symbol: its window in a store, and where its episode stands. */
class Tracked implements AccountFigures {
  /** Rules breached at the last evaluation, as BREACH flags. */
  breaches = NO_BREACH
  /** The last evaluation changed which rules are breached: always worth a signal. */
  breachesChanged = false
  /** A kill has been asked for and the scope has not yet cooled down or been unkilled. */
  inEpisode = false
  lastSignalMs = Number.NEGATIVE_INFINITY

  constructor(
    /** The account id or the symbol. */
    readonly key: string,
    readonly windows: WindowStore,
    readonly window: number,
    /** A symbol's id in the detector's SymbolTable, held while it is tracked; NO_SYMBOL for an account. */
    readonly symbolId: number,
  ) {}

  get orderCount(): number {
    return this.windows.orderCount(this.window)
  }

  get notional(): number {
    return this.windows.notional(this.window)
  }

  hasTopShare(share: number): boolean {
    return this.windows.hasTopShare(this.window, share)
  }
}

const NO_SIGNALS: readonly RiskSignal[] = Object.freeze([])
const NO_KILLS: readonly KillRequest[] = Object.freeze([])
const QUIET: DetectorOutput = Object.freeze({ signals: NO_SIGNALS, kills: NO_KILLS })
const LATE: Observation = Object.freeze({ signals: NO_SIGNALS, kills: NO_KILLS, late: true })
const COUNTED: Observation = Object.freeze({ signals: NO_SIGNALS, kills: NO_KILLS, late: false })

/**
 * Sliding-window risk detection per account and per symbol. Asks for ONE kill per breach episode per scope:
 * the episode opens on the first breach of any rule and closes when every rule is back under its threshold
 * (as orders arrive or as tick() moves event time on) or when an operator unkills the scope. Breaches while the
 * episode is open are the same runaway, not new ones, so they ask for nothing.
 *
 * Time: order.ts is event time and drives the windows; nowMs stamps signals and kills and paces signals.
 * tick(nowMs) tells the detector event time has reached nowMs even though no order says so.
 *
 * The rules are judged after every order from a window's counters; its full metrics are worked out only for what
 * is reported (a signal, a kill). Windows live in two stores, one for accounts and one for symbols, with symbols
 * as small integers from one table.
 */
export class RiskDetector {
  private readonly settings: DetectorSettings
  private readonly symbolIds = new SymbolTable()
  private readonly accountWindows: WindowStore
  private readonly symbolWindows: WindowStore
  private readonly accounts = new Map<string, Tracked>()
  /** Tracked symbols by id, and in the order they began to be tracked (the order tick() reports them in). */
  private readonly symbolsById: (Tracked | undefined)[] = []
  private readonly symbols = new Set<Tracked>()
  private watermarkMs = Number.NEGATIVE_INFINITY
  private lateOrders = 0

  constructor(settings: DetectorSettings) {
    this.settings = settings
    this.accountWindows = new WindowStore(settings, this.symbolIds)
    this.symbolWindows = new WindowStore(settings, this.symbolIds)
  }

  get watermark(): number {
    return this.watermarkMs
  }

  get lateCount(): number {
    return this.lateOrders
  }

  get trackedAccounts(): number {
    return this.accounts.size
  }

  get trackedSymbols(): number {
    return this.symbols.size
  }

  /** Whether a kill has been asked for this scope and its episode is still open. */
  inEpisode(scope: string): boolean {
    return this.trackedFor(scope)?.inEpisode ?? false
  }

  observe(order: DetectorOrder, nowMs: number): Observation {
    const { allowedLatenessMs } = this.settings
    if (order.ts < this.watermarkMs - allowedLatenessMs) {
      this.lateOrders++
      return LATE
    }
    // One order stamped far in the future must not push every other order past the lateness bound, which
    // would blind the detector; past nowMs + lateness it moves only its own windows.
    this.advanceWatermark(Math.min(order.ts, nowMs + allowedLatenessMs))

    // Capped, so that absurd prices make a breach with a finite value rather than an Infinity no command carries.
    const notional = Math.min(order.qty * order.price, MAX_ORDER_NOTIONAL)
    let signals: RiskSignal[] | undefined
    let kills: KillRequest[] | undefined
    // The symbol first, so that the account's window can count the order under the symbol's id.
    const symbol = this.trackSymbol(order.symbol)
    const account = this.trackAccount(order.account_id)
    const windows = this.accountWindows
    windows.advanceTo(account.window, this.watermarkMs)
    // Late for the account only when it predates an unkill: the symbol's window still counts it.
    const late = windows.add(account.window, order.ts, symbol.symbolId, notional) === 'late'
    if (late) {
      this.lateOrders++
    } else {
      const opened = this.evaluateAccount(account)
      const signalled = this.shouldSignal(account, nowMs, true)
      if (opened || signalled) {
        const metrics = windows.metrics(account.window)
        if (opened)
          kills = [killRequest(accountScope(account.key), this.accountBreach(account, metrics), nowMs)]
        if (signalled) signals = [riskSignal(account.key, metrics, nowMs)]
      }
    }

    this.symbolWindows.advanceTo(symbol.window, this.watermarkMs)
    const counted = this.symbolWindows.add(symbol.window, order.ts, NO_SYMBOL, notional) === 'added'
    if (counted && this.evaluateSymbol(symbol)) {
      ;(kills ??= []).push(killRequest(symbolScope(symbol.key), this.symbolBreach(symbol), nowMs))
    }
    if (kills === undefined && signals === undefined) return late ? LATE : COUNTED
    return { signals: signals ?? NO_SIGNALS, kills: kills ?? NO_KILLS, late }
  }

  /**
   * Moves event time to nowMs so that windows of quiet accounts slide on and cool down, then forgets
   * accounts and symbols idle for idleEvictMs. Emits signals only where a scope's breaches changed.
   */
  tick(nowMs: number): DetectorOutput {
    this.advanceWatermark(nowMs)
    let signals: RiskSignal[] | undefined
    let kills: KillRequest[] | undefined
    const idleBefore = this.watermarkMs - this.settings.idleEvictMs
    const accountWindows = this.accountWindows
    for (const account of this.accounts.values()) {
      accountWindows.advanceTo(account.window, this.watermarkMs)
      // A shrinking window can still open an episode: dropping old orders can raise one symbol's share.
      const opened = this.evaluateAccount(account)
      const signalled = this.shouldSignal(account, nowMs, false)
      if (opened || signalled) {
        const metrics = accountWindows.metrics(account.window)
        if (opened) {
          ;(kills ??= []).push(
            killRequest(accountScope(account.key), this.accountBreach(account, metrics), nowMs),
          )
        }
        if (signalled) (signals ??= []).push(riskSignal(account.key, metrics, nowMs))
      }
      if (!account.inEpisode && accountWindows.lastEventMs(account.window) <= idleBefore) {
        this.accounts.delete(account.key)
        accountWindows.close(account.window)
      }
    }
    for (const symbol of this.symbols) {
      this.symbolWindows.advanceTo(symbol.window, this.watermarkMs)
      if (this.evaluateSymbol(symbol)) {
        ;(kills ??= []).push(killRequest(symbolScope(symbol.key), this.symbolBreach(symbol), nowMs))
      }
      if (!symbol.inEpisode && this.symbolWindows.lastEventMs(symbol.window) <= idleBefore)
        this.untrackSymbol(symbol)
    }
    accountWindows.tidy()
    this.symbolWindows.tidy()
    return signals === undefined && kills === undefined
      ? QUIET
      : { signals: signals ?? NO_SIGNALS, kills: kills ?? NO_KILLS }
  }

  /**
   * An operator unkilled the scope (seen on the commands or state topic). The episode is over, and the
   * window starts empty: judging post-unkill orders together with the runaway that got the scope killed
   * would kill it again at once. Orders stamped before nowMs are then ignored for this scope.
   * Returns whether the detector was tracking that scope.
   */
  scopeUnkilled(scope: string, nowMs: number): boolean {
    const tracked = this.trackedFor(scope)
    if (tracked === undefined) {
      // Not tracked yet (a restart rebuilding its windows): track it from the unkill on, so that orders read
      // again from before it are not counted.
      const parsed = parseScope(scope)
      if (!parsed.ok || (parsed.scope.kind !== 'ACCOUNT' && parsed.scope.kind !== 'SYMBOL')) return false
      const fresh =
        parsed.scope.kind === 'ACCOUNT'
          ? this.trackAccount(parsed.scope.id)
          : this.trackSymbol(parsed.scope.id)
      fresh.windows.reset(fresh.window, nowMs)
      return false
    }
    tracked.windows.reset(tracked.window, nowMs)
    tracked.inEpisode = false
    tracked.breaches = NO_BREACH
    // The window restarted, so its next state is news whatever the pacing.
    tracked.lastSignalMs = Number.NEGATIVE_INFINITY
    return true
  }

  private trackedFor(scope: string): Tracked | undefined {
    const parsed = parseScope(scope)
    if (!parsed.ok) return undefined
    if (parsed.scope.kind === 'ACCOUNT') return this.accounts.get(parsed.scope.id)
    if (parsed.scope.kind === 'SYMBOL') {
      const id = this.symbolIds.find(parsed.scope.id)
      return id === undefined ? undefined : this.symbolsById[id]
    }
    return undefined
  }

  private advanceWatermark(ts: number): void {
    if (ts > this.watermarkMs) this.watermarkMs = ts
  }

  private trackAccount(accountId: string): Tracked {
    let account = this.accounts.get(accountId)
    if (account === undefined) {
      account = new Tracked(accountId, this.accountWindows, this.accountWindows.open(), NO_SYMBOL)
      this.accounts.set(accountId, account)
    }
    return account
  }

  /** The symbol's scope, tracked from now on if it was not: it holds the symbol's id while it is tracked. */
  private trackSymbol(name: string): Tracked {
    const known = this.symbolIds.find(name)
    let symbol = known === undefined ? undefined : this.symbolsById[known]
    if (symbol === undefined) {
      const id = this.symbolIds.hold(name)
      symbol = new Tracked(name, this.symbolWindows, this.symbolWindows.open(), id)
      this.symbolsById[id] = symbol
      this.symbols.add(symbol)
    }
    return symbol
  }

  private untrackSymbol(symbol: Tracked): void {
    this.symbols.delete(symbol)
    this.symbolsById[symbol.symbolId] = undefined
    this.symbolWindows.close(symbol.window)
    this.symbolIds.release(symbol.symbolId)
  }

  /** Updates the account's breaches and episode; true when an episode just opened. */
  private evaluateAccount(account: Tracked): boolean {
    const breaches = accountBreaches(account, this.settings)
    account.breachesChanged = breaches !== account.breaches
    account.breaches = breaches
    return opensEpisode(account, breaches !== NO_BREACH)
  }

  private accountBreach(account: Tracked, metrics: WindowMetrics): Breach {
    return describeAccountBreach(account.breaches, metrics, this.settings)!
  }

  private evaluateSymbol(symbol: Tracked): boolean {
    const breached = symbolBreached(symbol, this.settings)
    symbol.breaches = breached ? 1 : NO_BREACH
    return opensEpisode(symbol, breached)
  }

  private symbolBreach(symbol: Tracked): Breach {
    return describeSymbolBreach(symbol.key, symbol, this.settings)
  }

  /** At most one signal per signalIntervalMs, except that a change in breached rules is always reported. */
  private shouldSignal(account: Tracked, nowMs: number, paced: boolean): boolean {
    const due =
      account.breachesChanged || (paced && nowMs - account.lastSignalMs >= this.settings.signalIntervalMs)
    if (due) account.lastSignalMs = nowMs
    return due
  }
}

/** Opens an episode on the first breach, closes it once nothing is breached; true when one just opened. */
function opensEpisode(tracked: Tracked, breached: boolean): boolean {
  if (breached === tracked.inEpisode) return false
  tracked.inEpisode = breached
  return breached
}

function killRequest(scope: string, breach: Breach, nowMs: number): KillRequest {
  return { scope, reason: breach.reason, metric: breach.metric, value: breach.value, ts: nowMs }
}

function riskSignal(accountId: string, metrics: WindowMetrics, nowMs: number): RiskSignal {
  return {
    ts: nowMs,
    account_id: accountId,
    window_start: metrics.windowStart,
    window_end: metrics.windowEnd,
    order_count: metrics.orderCount,
    total_notional: metrics.notional,
    avg_notional: metrics.avgNotional,
    unique_symbols: metrics.uniqueSymbols,
    top_symbol: metrics.topSymbol,
    top_symbol_share: metrics.topSymbolShare,
  }
}
