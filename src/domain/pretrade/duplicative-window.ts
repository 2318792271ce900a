import type { Order } from '../order.js'
import type { UndoJournal } from './undo-journal.js'

export type DuplicativeKeyFields = Pick<Order, 'account_id' | 'symbol' | 'side' | 'qty' | 'price'>

/**
 * Cboe's duplicative-order key: the same account, symbol, side, quantity and price. Not the order_id: a re-sent
 * order_id is DUPLICATE before any of this; this catches an algorithm sending the same order again under new ids.
 */
export function duplicativeKey(order: DuplicativeKeyFields): string {
  return `${order.account_id}\u0000${order.symbol}\u0000${order.side}\u0000${order.qty}\u0000${order.price}`
}

/**
 * When each duplicative key was last let through, forgotten once older than the window. Times are the router's
 * clock; a time before the last one (a clock stepped back) counts as within the window: fail closed.
 */
export class DuplicativeWindow {
  private readonly lastAllowed = new Map<string, number>()
  /** Keys in the order they were let through, for expiry: a key may stand here more than once. */
  private readonly arrivals: { key: string; at: number }[] = []
  private head = 0

  constructor(
    readonly windowMs: number,
    private readonly journal: UndoJournal,
  ) {
    if (!(windowMs >= 0)) throw new RangeError(`a duplicative window is a duration in ms, got ${windowMs}`)
  }

  /** When an order with this key was let through within the window of `nowMs`, if one was. */
  within(key: string, nowMs: number): number | undefined {
    const at = this.lastAllowed.get(key)
    return at !== undefined && nowMs - at < this.windowMs ? at : undefined
  }

  /** An order with this key was let through at `nowMs` (tentatively). */
  allow(key: string, nowMs: number): void {
    this.expire(nowMs)
    const before = this.lastAllowed.get(key)
    this.journal.record(() => {
      if (before === undefined) {
        this.lastAllowed.delete(key)
        return
      }
      this.lastAllowed.set(key, before)
      // Its first arrival may have been expired meanwhile: one more, so that it is forgotten in its turn.
      this.arrivals.push({ key, at: before })
    })
    this.lastAllowed.set(key, nowMs)
    this.arrivals.push({ key, at: nowMs })
  }

  /**
   * An order let through before a (re)start, read back from orders.gated.v1 at `atMs` (the log's time of it): final
   * at once, and only if still within the window of `nowMs`.
   */
  restore(key: string, atMs: number, nowMs: number): void {
    if (atMs > nowMs || nowMs - atMs >= this.windowMs) return
    const known = this.lastAllowed.get(key)
    if (known !== undefined && known >= atMs) return
    this.lastAllowed.set(key, atMs)
    this.arrivals.push({ key, at: atMs })
  }

  /** Forgets everything: before the orders let through are read back again, so that none counts twice. */
  clear(): void {
    this.lastAllowed.clear()
    this.arrivals.length = 0
    this.head = 0
  }

  get size(): number {
    return this.lastAllowed.size
  }

  private expire(nowMs: number): void {
    while (this.head < this.arrivals.length && nowMs - this.arrivals[this.head]!.at >= this.windowMs) {
      const { key, at } = this.arrivals[this.head]!
      // Only if no later order of the key came since: then the map holds that later time.
      if (this.lastAllowed.get(key) === at) this.lastAllowed.delete(key)
      this.head += 1
    }
    if (this.head > 1024 && this.head * 2 > this.arrivals.length) {
      this.arrivals.splice(0, this.head)
      this.head = 0
    }
  }
}
