export type Side = 'BUY' | 'SELL'

/** An order as a client sends it; once decoded, its identifiers are canonical (identifiers.ts). */
export interface Order {
  readonly order_id: string
  /** The client's clock, epoch ms: kept in the record, never trusted for windows (the log's append time is). */
  readonly ts: number
  readonly account_id: string
  readonly symbol: string
  readonly side: Side
  readonly qty: number
  readonly price: number
  readonly strategy: string
}
