import type { ReferencePrice } from './order-checks.js'

/** A symbol's reference price as reference_prices.v1 carries it. */
export interface ReferencePriceRecord {
  readonly symbol: string
  readonly price: number
  /** When the source priced it, for people; the router ages a price by the log's time of its record. */
  readonly ts: number
  readonly source: string
}

/** The reference prices, to read: what the collar is checked against. Only the prices topic changes them. */
export interface ReferencePriceView {
  referencePrice(symbol: string): ReferencePrice | undefined
  readonly size: number
}

/** reference_prices.v1 as a router holds it: the latest price per symbol, with the log's time of its record. */
export class ReferencePriceTable {
  private readonly prices = new Map<string, ReferencePrice>()
  readonly view: ReferencePriceView

  constructor() {
    const prices = this.prices
    this.view = {
      referencePrice: (symbol) => prices.get(symbol),
      get size() {
        return prices.size
      },
    }
  }

  /** A price record, stamped `at` by the log (not by whoever sent it, whose clock may be off). */
  apply(record: ReferencePriceRecord, at: number): void {
    this.prices.set(record.symbol, { price: record.price, at })
  }

  remove(symbol: string): void {
    this.prices.delete(symbol)
  }
}
