import { SymbolTable } from './symbol-table.js'
import { WindowStore, type AddOutcome, type WindowMetrics, type WindowSettings } from './window-store.js'

export type { AddOutcome, WindowMetrics, WindowSettings } from './window-store.js'

/**
 * One key's sliding event-time window of slideMs buckets, on its own: a WindowStore holding a single window. The
 * detector keeps all of its windows in two stores instead, so that a window costs words rather than objects.
 */
export class SlidingWindow {
  private readonly symbols: SymbolTable
  private readonly windows: WindowStore
  private readonly window: number

  constructor(settings: WindowSettings) {
    this.symbols = new SymbolTable()
    this.windows = new WindowStore(settings, this.symbols)
    this.window = this.windows.open()
  }

  /** The newest event time this window has seen or been advanced to. */
  get watermark(): number {
    return this.windows.watermark(this.window)
  }

  /** The newest order's event time, or -Infinity before the first. */
  get lastEventMs(): number {
    return this.windows.lastEventMs(this.window)
  }

  get lateCount(): number {
    return this.windows.lateCount(this.window)
  }

  get isEmpty(): boolean {
    return this.windows.orderCount(this.window) === 0
  }

  /** The buckets in use; never more than windowMs/slideMs. */
  get bucketsInUse(): number {
    return this.windows.bucketsInUse(this.window)
  }

  /** Counts an order at event time ts, unless it is older than the watermark allows. */
  add(ts: number, symbol: string, notional: number): AddOutcome {
    const id = this.symbols.hold(symbol)
    const outcome = this.windows.add(this.window, ts, id, notional)
    this.symbols.release(id)
    return outcome
  }

  /** Moves event time forward to ts (never back), dropping buckets that fall out of the window. */
  advanceTo(ts: number): void {
    this.windows.advanceTo(this.window, ts)
  }

  /** Forgets every order; orders stamped before fromMs will be refused as late from now on. */
  reset(fromMs: number): void {
    this.windows.reset(this.window, fromMs)
  }

  metrics(): WindowMetrics {
    return this.windows.metrics(this.window)
  }
}
