/**
 * The detector as it was before its windows were made compact (commit 099ae6e): the per-bucket Map of symbol
 * counts, the metrics of the whole window rebuilt after every order. Kept verbatim as the oracle the differential
 * test (test/unit/domain/detector-differential.test.ts) holds the real detector to: every kill, signal and late
 * verdict must be the same, field for field and in the same order. Do not "fix" it; it is the definition.
 */
import type { DetectorSettings } from '../../src/domain/detector-settings.js'
import type { DetectorOrder, DetectorOutput, KillRequest, Observation } from '../../src/domain/detector.js'
import type { RiskSignal } from '../../src/domain/risk-signal.js'
import type { WindowMetrics, WindowSettings } from '../../src/domain/sliding-window.js'
import { accountScope, parseScope, symbolScope } from '../../src/domain/scope.js'

const MAX_ORDER_NOTIONAL = 1e15

/** Metric names as they appear on signals and commands; the Spark job uses the same ones. */
const RISK_METRICS = {
  orderRate: 'order_rate_60s',
  notional: 'notional_60s',
  concentration: 'top_symbol_share',
  symbolOrderRate: 'symbol_order_rate_60s',
} as const
type RiskMetric = (typeof RISK_METRICS)[keyof typeof RISK_METRICS]

/**
 * Breached account rules as bit flags, so the detector can compare "which rules are breached" between two
 * orders without allocating. The order of the flags is the order in which a kill names its reason.
 */
const BREACH = { orderRate: 1, notional: 2, concentration: 4 } as const
const NO_BREACH = 0

interface Breach {
  readonly metric: RiskMetric
  readonly value: number
  readonly reason: string
}

function accountBreaches(metrics: WindowMetrics, settings: DetectorSettings): number {
  const { thresholds } = settings
  let mask = NO_BREACH
  if (metrics.orderCount > thresholds.orderCount) mask |= BREACH.orderRate
  if (metrics.notional > thresholds.notional) mask |= BREACH.notional
  if (
    metrics.orderCount >= settings.concentrationMinOrders &&
    metrics.topSymbolShare >= thresholds.topSymbolShare
  ) {
    mask |= BREACH.concentration
  }
  return mask
}

function symbolBreached(metrics: WindowMetrics, settings: DetectorSettings): boolean {
  return metrics.orderCount > settings.symbolRule.orderCount
}

/** The breach a kill is reported under: the first flagged rule, in BREACH order. */
function describeAccountBreach(
  mask: number,
  metrics: WindowMetrics,
  settings: DetectorSettings,
): Breach | undefined {
  const span = windowLabel(settings.windowMs)
  if (mask & BREACH.orderRate) {
    return {
      metric: RISK_METRICS.orderRate,
      value: metrics.orderCount,
      reason: `Order rate breach: ${metrics.orderCount} orders in ${span}`,
    }
  }
  if (mask & BREACH.notional) {
    return {
      metric: RISK_METRICS.notional,
      value: metrics.notional,
      reason: `Notional breach: ${metrics.notional.toFixed(2)} in ${span} (limit ${settings.thresholds.notional})`,
    }
  }
  if (mask & BREACH.concentration) {
    const percent = Math.round(metrics.topSymbolShare * 100)
    return {
      metric: RISK_METRICS.concentration,
      value: metrics.topSymbolShare,
      reason: `Concentration breach: ${percent}% of ${metrics.orderCount} orders in ${metrics.topSymbol ?? '?'} in ${span}`,
    }
  }
  return undefined
}

function describeSymbolBreach(symbol: string, metrics: WindowMetrics, settings: DetectorSettings): Breach {
  return {
    metric: RISK_METRICS.symbolOrderRate,
    value: metrics.orderCount,
    reason: `Symbol order rate breach: ${metrics.orderCount} orders in ${symbol} in ${windowLabel(settings.windowMs)} across all accounts`,
  }
}

function windowLabel(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`
}

type AddOutcome = 'added' | 'late'

const EMPTY_SLOT = -1

/**
 * One key's sliding event-time window, made of slideMs buckets in a ring. Tumbling windows split a burst that
 * straddles a boundary in two and miss it; this one always looks back a whole windowMs from the newest bucket.
 * Memory is windowMs/slideMs buckets however many orders arrive.
 */
export class ReferenceWindow {
  private readonly slideMs: number
  private readonly windowMs: number
  private readonly allowedLatenessMs: number
  private readonly bucketCount: number
  /** The bucket number each slot holds, or EMPTY_SLOT. */
  private readonly slotBucket: number[]
  private readonly slotCount: number[]
  private readonly slotNotional: number[]
  /**
   * Per slot, its orders' symbols: one symbol alone (all slotCount orders of it, the common case for an account that
   * sends an order or two a second, and no Map to keep), or a Map of counts once a second symbol arrives.
   */
  private readonly slotSymbols: (Map<string, number> | string | undefined)[]
  private readonly symbolTotals = new Map<string, number>()
  private totalCount = 0
  private totalNotional = 0
  private head = Number.NEGATIVE_INFINITY
  private watermarkMs = Number.NEGATIVE_INFINITY
  /** After a reset, orders from before it belong to the history that was wiped. */
  private floorMs = Number.NEGATIVE_INFINITY
  private newestEventMs = Number.NEGATIVE_INFINITY
  private late = 0

  constructor(settings: WindowSettings) {
    const { windowMs, slideMs, allowedLatenessMs } = settings
    if (!(slideMs > 0) || !(windowMs >= slideMs) || windowMs % slideMs !== 0) {
      throw new RangeError(`windowMs (${windowMs}) must be a positive multiple of slideMs (${slideMs})`)
    }
    if (!(allowedLatenessMs >= 0))
      throw new RangeError(`allowedLatenessMs (${allowedLatenessMs}) must be >= 0`)
    this.windowMs = windowMs
    this.slideMs = slideMs
    this.allowedLatenessMs = allowedLatenessMs
    this.bucketCount = windowMs / slideMs
    this.slotBucket = new Array<number>(this.bucketCount).fill(EMPTY_SLOT)
    this.slotCount = new Array<number>(this.bucketCount).fill(0)
    this.slotNotional = new Array<number>(this.bucketCount).fill(0)
    this.slotSymbols = new Array<Map<string, number> | string | undefined>(this.bucketCount).fill(undefined)
  }

  /** The newest event time this window has seen or been advanced to. */
  get watermark(): number {
    return this.watermarkMs
  }

  /** The newest order's event time, or -Infinity before the first. */
  get lastEventMs(): number {
    return this.newestEventMs
  }

  get lateCount(): number {
    return this.late
  }

  get isEmpty(): boolean {
    return this.totalCount === 0
  }

  /** The buckets in use; never more than windowMs/slideMs. */
  get bucketsInUse(): number {
    let used = 0
    for (const bucket of this.slotBucket) if (bucket !== EMPTY_SLOT) used++
    return used
  }

  /** Counts an order at event time ts, unless it is older than the watermark allows. */
  add(ts: number, symbol: string, notional: number): AddOutcome {
    if (ts < this.floorMs || ts < this.watermarkMs - this.allowedLatenessMs) {
      this.late++
      return 'late'
    }
    this.advanceTo(ts)
    const bucket = Math.floor(ts / this.slideMs)
    if (bucket <= this.head - this.bucketCount) {
      // Only reachable when allowedLatenessMs reaches back past the window itself.
      this.late++
      return 'late'
    }
    const slot = this.slotOf(bucket)
    if (this.slotBucket[slot] !== bucket) {
      this.clearSlot(slot)
      this.slotBucket[slot] = bucket
    }
    const before = this.slotCount[slot] ?? 0
    const symbols = this.slotSymbols[slot]
    if (symbols === undefined || (before === 0 && typeof symbols === 'string')) {
      this.slotSymbols[slot] = symbol
    } else if (typeof symbols === 'string') {
      if (symbols !== symbol) {
        this.slotSymbols[slot] = new Map([
          [symbols, before],
          [symbol, 1],
        ])
      }
    } else {
      symbols.set(symbol, (symbols.get(symbol) ?? 0) + 1)
    }
    this.slotCount[slot] = before + 1
    this.slotNotional[slot] = (this.slotNotional[slot] ?? 0) + notional
    this.symbolTotals.set(symbol, (this.symbolTotals.get(symbol) ?? 0) + 1)
    this.totalCount++
    this.totalNotional += notional
    if (ts > this.newestEventMs) this.newestEventMs = ts
    return 'added'
  }

  /** Moves event time forward to ts (never back), dropping buckets that fall out of the window. */
  advanceTo(ts: number): void {
    if (ts <= this.watermarkMs) return
    this.watermarkMs = ts
    const newHead = Math.floor(ts / this.slideMs)
    if (newHead <= this.head) return
    if (newHead - this.head >= this.bucketCount) {
      for (let slot = 0; slot < this.bucketCount; slot++) this.clearSlot(slot)
    } else {
      // Each bucket entering the window reuses the slot of the one leaving it.
      for (let bucket = this.head + 1; bucket <= newHead; bucket++) this.clearSlot(this.slotOf(bucket))
    }
    this.head = newHead
  }

  /** Forgets every order; orders stamped before fromMs will be refused as late from now on. */
  reset(fromMs: number): void {
    for (let slot = 0; slot < this.bucketCount; slot++) this.clearSlot(slot)
    if (fromMs > this.floorMs) this.floorMs = fromMs
  }

  metrics(): WindowMetrics {
    let topSymbol: string | null = null
    let topCount = 0
    for (const [symbol, symbolCount] of this.symbolTotals) {
      // Ties go to the alphabetically first symbol so that replays give the same answer.
      if (symbolCount > topCount || (symbolCount === topCount && topSymbol !== null && symbol < topSymbol)) {
        topSymbol = symbol
        topCount = symbolCount
      }
    }
    const orderCount = this.totalCount
    const windowEnd = Number.isFinite(this.head) ? (this.head + 1) * this.slideMs : 0
    return {
      orderCount,
      notional: this.totalNotional,
      avgNotional: orderCount === 0 ? 0 : this.totalNotional / orderCount,
      uniqueSymbols: this.symbolTotals.size,
      topSymbol,
      topSymbolShare: orderCount === 0 ? 0 : topCount / orderCount,
      windowStart: Math.max(0, windowEnd - this.windowMs),
      windowEnd,
    }
  }

  private forget(symbol: string, count: number): void {
    const remaining = (this.symbolTotals.get(symbol) ?? 0) - count
    if (remaining > 0) this.symbolTotals.set(symbol, remaining)
    else this.symbolTotals.delete(symbol)
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount
  }

  private clearSlot(slot: number): void {
    if (this.slotBucket[slot] === EMPTY_SLOT) return
    const symbols = this.slotSymbols[slot]
    if (typeof symbols === 'string') {
      this.forget(symbols, this.slotCount[slot] ?? 0)
      this.slotSymbols[slot] = undefined
    } else if (symbols !== undefined) {
      for (const [symbol, symbolCount] of symbols) this.forget(symbol, symbolCount)
      // Kept and cleared rather than dropped: a busy key's slot is reused a bucket later.
      symbols.clear()
    }
    this.totalCount -= this.slotCount[slot] ?? 0
    this.totalNotional -= this.slotNotional[slot] ?? 0
    // Floating-point subtraction leaves dust; an empty window has exactly zero notional.
    if (this.totalCount === 0) this.totalNotional = 0
    this.slotBucket[slot] = EMPTY_SLOT
    this.slotCount[slot] = 0
    this.slotNotional[slot] = 0
  }
}

/** One tracked account or symbol. */
interface Tracked {
  readonly key: string
  readonly scope: string
  readonly window: ReferenceWindow
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
export class ReferenceDetector {
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
      const fresh = this.track(
        map,
        parsed.scope.id,
        parsed.scope.kind === 'ACCOUNT' ? accountScope : symbolScope,
      )
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
        window: new ReferenceWindow(this.settings),
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
