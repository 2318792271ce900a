/**
 * A set of the most recent ids, first in first out, never larger than its capacity, and optionally only as
 * far back as a time horizon (expireBefore). The aggregator uses it to skip replayed commands and the router
 * to spot re-sent order_ids; both see unbounded streams, so an unbounded set would grow until the process died.
 */
export class RecentIds {
  readonly capacity: number
  protected readonly members = new Set<string>()
  /** A ring of ids in arrival order, oldest at head; times[i] is when ids[i] was added. */
  private readonly ids: (string | undefined)[] = []
  private readonly times: number[] = []
  private head = 0
  private count = 0

  constructor(capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RecentIds capacity must be a positive integer, got ${capacity}`)
    }
    this.capacity = capacity
  }

  get size(): number {
    return this.members.size
  }

  has(id: string): boolean {
    return this.members.has(id)
  }

  /** Remembers id (added at atMs), forgetting the oldest if full. False if id was already remembered. */
  add(id: string, atMs = 0): boolean {
    const size = this.members.size
    this.members.add(id)
    if (this.members.size === size) return false
    this.insert(id, atMs)
    return true
  }

  /** Forgets every id added before beforeMs. */
  expireBefore(beforeMs: number): void {
    this.expire(beforeMs, 0)
  }

  /** Forgets ids added before beforeMs, oldest first, but never the newest `keep`. */
  protected expire(beforeMs: number, keep: number): void {
    while (this.count > keep && this.times[this.head]! < beforeMs) {
      this.members.delete(this.ids[this.head]!)
      this.ids[this.head] = undefined
      this.head = (this.head + 1) % this.capacity
      this.count -= 1
    }
  }

  /**
   * Files an id just added to `members` (it was not one before); returns the member it pushed out (and when that
   * was added), if full. Adding first and asking the size tells a new id in one hash lookup rather than two.
   */
  protected insert(id: string, atMs: number): Evicted | undefined {
    let evicted: Evicted | undefined
    if (this.count === this.capacity) {
      const oldest = this.ids[this.head]!
      evicted = { id: oldest, atMs: this.times[this.head]! }
      this.members.delete(oldest)
      this.head = (this.head + 1) % this.capacity
      this.count -= 1
    }
    const slot = (this.head + this.count) % this.capacity
    this.ids[slot] = id
    this.times[slot] = atMs
    this.count += 1
    return evicted
  }

  /** Takes back the latest insert, which pushed out `evicted` (undefined if the set was not full). */
  protected uninsert(id: string, evicted: Evicted | undefined): void {
    this.count -= 1
    this.ids[(this.head + this.count) % this.capacity] = undefined
    this.members.delete(id)
    if (evicted === undefined) return
    this.head = (this.head - 1 + this.capacity) % this.capacity
    this.ids[this.head] = evicted.id
    this.times[this.head] = evicted.atMs
    this.count += 1
    this.members.add(evicted.id)
  }
}

export interface Evicted {
  readonly id: string
  readonly atMs: number
}
