import type { KillCommand } from './kill-command.js'
import type { Order } from './order.js'
import type { RiskSignal } from './risk-signal.js'
import type { DetectorSettings } from './detector-settings.js'
import {
  accountBreaches,
  describeAccountBreach,
  describeSymbolBreach,
  NO_BREACH,
  symbolBreached,
  type Breach,
  type RiskMetric,
} from './risk-rules.js'
import { accountScope, parseScope, symbolScope } from './scope.js'
import { SlidingWindow, type WindowMetrics } from './sliding-window.js'

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

/** One tracked account or symbol. */
interface Tracked {
  readonly key: string
  readonly scope: string
  readonly window: SlidingWindow
  /** Rules breached at the last evaluation, as BREACH flags. */
  breaches: number
  /** The last evaluation changed which rules are breached: always worth a signal. */
  breachesChanged: boolean
  /** A kill has been asked for and the scope has not yet cooled down or been unkilled. */
  inEpisode: boolean
  lastSignalMs: number
}

const NO_SIGNALS: readonly RiskSignal[] = Object.freeze([])
const NO_KILLS: readonly KillRequest[] = Object.freeze([])
const QUIET: DetectorOutput = Object.freeze({ signals: NO_SIGNALS, kills: NO_KILLS })
const LATE: Observation = Object.freeze({ signals: NO_SIGNALS, kills: NO_KILLS, late: true })

/**
 * Sliding-window risk detection per account and per symbol. Asks for ONE kill per breach episode per scope:
 * the episode opens on the first breach of any rule and closes when every rule is back under its threshold
 * (as orders arrive or as tick() moves event time on) or when an operator unkills the scope. Breaches while the
 * episode is open are the same runaway, not new ones, so they ask for nothing.
 *
 * Time: order.ts is event time and drives the windows; nowMs stamps signals and kills and paces signals.
 * tick(nowMs) tells the detector event time has reached nowMs even though no order says so.
 */
export class RiskDetector {
  private readonly settings: DetectorSettings
  private readonly accounts = new Map<string, Tracked>()
  private readonly symbols = new Map<string, Tracked>()
  private watermarkMs = Number.NEGATIVE_INFINITY
  private lateOrders = 0

  constructor(settings: DetectorSettings) {
    this.settings = settings
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
    const account = this.track(this.accounts, order.account_id, accountScope)
    account.window.advanceTo(this.watermarkMs)
    // Late for the account only when it predates an unkill: the symbol's window still counts it.
    const late = account.window.add(order.ts, order.symbol, notional) === 'late'
    if (late) {
      this.lateOrders++
    } else {
      const metrics = account.window.metrics()
      const kill = this.evaluateAccount(account, metrics)
      if (kill !== undefined) kills = [killRequest(account.scope, kill, nowMs)]
      if (this.shouldSignal(account, nowMs, true)) signals = [riskSignal(account.key, metrics, nowMs)]
    }

    const symbol = this.track(this.symbols, order.symbol, symbolScope)
    symbol.window.advanceTo(this.watermarkMs)
    if (symbol.window.add(order.ts, order.symbol, notional) === 'added') {
      const kill = this.evaluateSymbol(symbol, symbol.window.metrics())
      if (kill !== undefined) (kills ??= []).push(killRequest(symbol.scope, kill, nowMs))
    }
    if (late && kills === undefined) return LATE
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
    for (const account of this.accounts.values()) {
      account.window.advanceTo(this.watermarkMs)
      const metrics = account.window.metrics()
      // A shrinking window can still open an episode: dropping old orders can raise one symbol's share.
      const kill = this.evaluateAccount(account, metrics)
      if (kill !== undefined) (kills ??= []).push(killRequest(account.scope, kill, nowMs))
      if (this.shouldSignal(account, nowMs, false)) {
        ;(signals ??= []).push(riskSignal(account.key, metrics, nowMs))
      }
      if (!account.inEpisode && account.window.lastEventMs <= idleBefore) this.accounts.delete(account.key)
    }
    for (const symbol of this.symbols.values()) {
      symbol.window.advanceTo(this.watermarkMs)
      const kill = this.evaluateSymbol(symbol, symbol.window.metrics())
      if (kill !== undefined) (kills ??= []).push(killRequest(symbol.scope, kill, nowMs))
      if (!symbol.inEpisode && symbol.window.lastEventMs <= idleBefore) this.symbols.delete(symbol.key)
    }
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
      const map = parsed.scope.kind === 'ACCOUNT' ? this.accounts : this.symbols
      const fresh = this.track(map, parsed.scope.id, parsed.scope.kind === 'ACCOUNT' ? accountScope : symbolScope)
      fresh.window.reset(nowMs)
      return false
    }
    tracked.window.reset(nowMs)
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
    if (parsed.scope.kind === 'SYMBOL') return this.symbols.get(parsed.scope.id)
    return undefined
  }

  private advanceWatermark(ts: number): void {
    if (ts > this.watermarkMs) this.watermarkMs = ts
  }

  private track(map: Map<string, Tracked>, key: string, scopeOf: (key: string) => string): Tracked {
    let tracked = map.get(key)
    if (tracked === undefined) {
      tracked = {
        key,
        scope: scopeOf(key),
        window: new SlidingWindow(this.settings),
        breaches: NO_BREACH,
        breachesChanged: false,
        inEpisode: false,
        lastSignalMs: Number.NEGATIVE_INFINITY,
      }
      map.set(key, tracked)
    }
    return tracked
  }

  /** Updates the account's breaches and episode; returns the breach to kill for if an episode just opened. */
  private evaluateAccount(account: Tracked, metrics: WindowMetrics): Breach | undefined {
    const breaches = accountBreaches(metrics, this.settings)
    account.breachesChanged = breaches !== account.breaches
    account.breaches = breaches
    return opensEpisode(account, breaches !== NO_BREACH)
      ? describeAccountBreach(breaches, metrics, this.settings)
      : undefined
  }

  private evaluateSymbol(symbol: Tracked, metrics: WindowMetrics): Breach | undefined {
    const breached = symbolBreached(metrics, this.settings)
    symbol.breaches = breached ? 1 : NO_BREACH
    return opensEpisode(symbol, breached)
      ? describeSymbolBreach(symbol.key, metrics, this.settings)
      : undefined
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
