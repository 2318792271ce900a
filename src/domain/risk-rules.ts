import type { DetectorSettings } from './detector-settings.js'
import type { WindowMetrics } from './window-store.js'

/** Metric names as they appear on signals and commands; the Spark job uses the same ones. */
export const RISK_METRICS = {
  orderRate: 'order_rate_60s',
  notional: 'notional_60s',
  concentration: 'top_symbol_share',
  symbolOrderRate: 'symbol_order_rate_60s',
} as const
export type RiskMetric = (typeof RISK_METRICS)[keyof typeof RISK_METRICS]

/**
 * Breached account rules as bit flags, so the detector can compare "which rules are breached" between two
 * orders without allocating. The order of the flags is the order in which a kill names its reason.
 */
export const BREACH = { orderRate: 1, notional: 2, concentration: 4 } as const
export const NO_BREACH = 0

export interface Breach {
  readonly metric: RiskMetric
  readonly value: number
  readonly reason: string
}

/**
 * What the account rules read of a window. The top symbol's share is asked as a question, so that a window need
 * not work the share out after every order when it is nowhere near the limit.
 */
export interface AccountFigures {
  readonly orderCount: number
  readonly notional: number
  /** Whether the top symbol's share of the orders (0 for no orders) is at least `share`. */
  hasTopShare(share: number): boolean
}

/** What the symbol rule reads of a window. */
export interface SymbolFigures {
  readonly orderCount: number
}

export function accountBreaches(window: AccountFigures, settings: DetectorSettings): number {
  const { thresholds } = settings
  let mask = NO_BREACH
  if (window.orderCount > thresholds.orderCount) mask |= BREACH.orderRate
  if (window.notional > thresholds.notional) mask |= BREACH.notional
  if (window.orderCount >= settings.concentrationMinOrders && window.hasTopShare(thresholds.topSymbolShare)) {
    mask |= BREACH.concentration
  }
  return mask
}

/** A window's metrics, already worked out, as the account rules read them. */
export function figuresOf(metrics: WindowMetrics): AccountFigures {
  return {
    orderCount: metrics.orderCount,
    notional: metrics.notional,
    hasTopShare: (share) => metrics.topSymbolShare >= share,
  }
}

export function symbolBreached(window: SymbolFigures, settings: DetectorSettings): boolean {
  return window.orderCount > settings.symbolRule.orderCount
}

/** The breach a kill is reported under: the first flagged rule, in BREACH order. */
export function describeAccountBreach(
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

export function describeSymbolBreach(
  symbol: string,
  window: SymbolFigures,
  settings: DetectorSettings,
): Breach {
  return {
    metric: RISK_METRICS.symbolOrderRate,
    value: window.orderCount,
    reason: `Symbol order rate breach: ${window.orderCount} orders in ${symbol} in ${windowLabel(settings.windowMs)} across all accounts`,
  }
}

function windowLabel(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`
}
