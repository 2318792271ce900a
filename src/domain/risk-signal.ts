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
