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

/** An order let through, in its account's bucket of price and quantity: the rest of its key, and when. */
interface Entry {
  readonly account: string
  readonly bucket: number
  readonly symbol: string
  readonly side: string
  readonly qty: number
  readonly price: number
  at: number
}

/**
 * When each duplicative key was last let through, forgotten once older than the window. Times are the router's
 * clock; a time before the last one (a clock stepped back) counts as within the window: fail closed.
 *
 * Kept per account, then per a number made of the price and quantity, then the exact fields: the account id is a
 * string the router has already hashed for its other lookups, and a number hashes at once, where one string made of
 * all five fields would be built and hashed anew for every order (the costliest part of the checks). A bucket holds
 * the few orders of one account at one price and quantity; an order is found in it by every field of the key.
 */
export class DuplicativeWindow {
  private readonly accounts = new Map<string, Map<number, Entry[]>>()
  /** Entries in the order they were let through, each with that time: forgotten at `at + window` unless let through again since. */
  private readonly arrivals: Entry[] = []
  private readonly arrivedAt: number[] = []
  private head = 0
  private entries = 0
  /** The order within() last looked up and what it found: allow() of the same order right after needs no second look. */
  private probed: DuplicativeKeyFields | undefined
  private probedEntry: Entry | undefined

  constructor(
    readonly windowMs: number,
    private readonly journal: UndoJournal,
  ) {
    if (!(windowMs >= 0)) throw new RangeError(`a duplicative window is a duration in ms, got ${windowMs}`)
  }

  /** When an order with this key was let through within the window of `nowMs`, if one was. */
  within(order: DuplicativeKeyFields, nowMs: number): number | undefined {
    this.expire(nowMs)
    const entry = this.find(order)
    this.probed = order
    this.probedEntry = entry
    const at = entry?.at
    return at !== undefined && nowMs - at < this.windowMs ? at : undefined
  }

  /** An order with this key was let through at `nowMs` (tentatively). */
  allow(order: DuplicativeKeyFields, nowMs: number): void {
    const expired = this.expire(nowMs)
    const bucket = bucketOf(order)
    const found = this.probed === order && !expired ? this.probedEntry : this.find(order)
    this.probed = undefined
    this.probedEntry = undefined
    if (found !== undefined) {
      const before = found.at
      found.at = nowMs
      this.journal.record(() => {
        found.at = before
        // Its arrival at `before` may have been expired meanwhile: one more, so that it is forgotten in its turn.
        this.arrive(found, before)
      })
      this.arrive(found, nowMs)
      return
    }
    const entry = entryOf(order, bucket, nowMs)
    this.add(entry)
    this.journal.record(() => this.remove(entry))
    this.arrive(entry, nowMs)
  }

  /**
   * An order let through before a (re)start, read back from orders.gated.v1 at `stampedMs` (the deciding router's
   * time of it): final at once, and only if still within the window of `nowMs`. A time after `nowMs` is another
   * router's clock running ahead of this one (a takeover): it counts as now, never as nothing.
   */
  restore(order: DuplicativeKeyFields, stampedMs: number, nowMs: number): void {
    this.probed = undefined
    const atMs = Math.min(stampedMs, nowMs)
    if (nowMs - atMs >= this.windowMs) return
    const found = this.find(order)
    if (found !== undefined) {
      if (found.at >= atMs) return
      found.at = atMs
      this.arrive(found, atMs)
      return
    }
    const entry = entryOf(order, bucketOf(order), atMs)
    this.add(entry)
    this.arrive(entry, atMs)
  }

  /** Forgets everything: before the orders let through are read back again, so that none counts twice. */
  clear(): void {
    this.probed = undefined
    this.probedEntry = undefined
    this.accounts.clear()
    this.arrivals.length = 0
    this.arrivedAt.length = 0
    this.head = 0
    this.entries = 0
  }

  /** Keys held: each let through within the window (or not yet expired). */
  get size(): number {
    return this.entries
  }

  private find(order: DuplicativeKeyFields): Entry | undefined {
    const bucket = this.accounts.get(order.account_id)?.get(bucketOf(order))
    if (bucket === undefined) return undefined
    for (const entry of bucket) {
      if (entry.price === order.price && entry.qty === order.qty && entry.side === order.side && entry.symbol === order.symbol) return entry
    }
    return undefined
  }

  private arrive(entry: Entry, at: number): void {
    this.arrivals.push(entry)
    this.arrivedAt.push(at)
  }

  private add(entry: Entry): void {
    let buckets = this.accounts.get(entry.account)
    if (buckets === undefined) {
      buckets = new Map()
      this.accounts.set(entry.account, buckets)
    }
    const bucket = buckets.get(entry.bucket)
    if (bucket === undefined) buckets.set(entry.bucket, [entry])
    else bucket.push(entry)
    this.entries += 1
  }

  private remove(entry: Entry): void {
    // A rollback or an expiry may take what within() found: allow() then looks again.
    this.probed = undefined
    const buckets = this.accounts.get(entry.account)
    const bucket = buckets?.get(entry.bucket)
    const index = bucket?.indexOf(entry) ?? -1
    if (buckets === undefined || bucket === undefined || index < 0) return
    bucket.splice(index, 1)
    this.entries -= 1
    if (bucket.length > 0) return
    buckets.delete(entry.bucket)
    if (buckets.size === 0) this.accounts.delete(entry.account)
  }

  /** Forgets what is older than the window of `nowMs`; whether it forgot anything. */
  private expire(nowMs: number): boolean {
    const from = this.head
    while (this.head < this.arrivals.length && nowMs - this.arrivedAt[this.head]! >= this.windowMs) {
      const entry = this.arrivals[this.head]!
      // Only if it was not let through again since: then its time is that later one.
      if (entry.at === this.arrivedAt[this.head]) this.remove(entry)
      this.head += 1
    }
    const expired = this.head > from
    if (this.head > 1024 && this.head * 2 > this.arrivals.length) {
      this.arrivals.splice(0, this.head)
      this.arrivedAt.splice(0, this.head)
      this.head = 0
    }
    return expired
  }
}

function entryOf(order: DuplicativeKeyFields, bucket: number, at: number): Entry {
  return { account: order.account_id, bucket, symbol: order.symbol, side: order.side, qty: order.qty, price: order.price, at }
}

/** A number from the price and quantity: orders that differ in either mostly fall in different buckets. */
function bucketOf(order: DuplicativeKeyFields): number {
  return order.price * 1_000_003 + order.qty
}
