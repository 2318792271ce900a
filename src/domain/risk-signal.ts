/** One account's sliding-window metrics, as the detector publishes them. */
export interface RiskSignal {
  readonly ts: number
  readonly account_id: string
  readonly window_start: number
  readonly window_end: number
  readonly order_count: number
  readonly total_notional: number
  readonly avg_notional: number
  readonly unique_symbols: number
  readonly top_symbol: string | null
  readonly top_symbol_share: number
}

/**
 * The router's word that an order it let through took an account's credit usage over a step of Nasdaq's ladder
 * (50, 75, 90% of its line, ADR 0014). Written in the same atomic write as that order's decision, so each step is
 * signalled once per account and trading day, and never for an order whose decision was not written.
 */
export interface CreditWarningSignal {
  readonly ts: number
  readonly signal: 'CREDIT_WARNING'
  readonly account_id: string
  /** The step crossed, in percent of the credit limit: 50, 75 or 90. */
  readonly percent: number
  readonly used_notional: number
  readonly credit_limit: number
  /** Where the trading day whose usage this counts began (epoch ms). */
  readonly day_start: number
}

/** What risk_signals.v1 carries: the detector's window metrics and the router's credit warnings. */
export type RiskSignalRecord = RiskSignal | CreditWarningSignal

export function isCreditWarning(signal: RiskSignalRecord): signal is CreditWarningSignal {
  return 'signal' in signal && signal.signal === 'CREDIT_WARNING'
}
