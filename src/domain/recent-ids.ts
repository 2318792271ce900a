/**
 * A set of the most recent ids, first in first out, never larger than its capacity. The aggregator uses it to
 * skip replayed cmd_ids and the router to spot re-sent order_ids; both see unbounded streams, so an unbounded
 * set would grow until the process died.
 */
export class RecentIds {
  readonly capacity: number
  protected readonly members = new Set<string>()
  /** Ring of ids in arrival order; next marks the oldest once the ring is full. */
  protected readonly ring: string[] = []
  protected next = 0

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

  /** Remembers id, forgetting the oldest if full. Returns false if id was already remembered. */
  add(id: string): boolean {
    if (this.members.has(id)) return false
    this.insert(id)
    return true
  }

  /** Adds an id that is not a member; returns the member it pushed out, if the set was full. */
  protected insert(id: string): string | undefined {
    this.members.add(id)
    if (this.ring.length < this.capacity) {
      this.ring.push(id)
      return undefined
    }
    const oldest = this.ring[this.next]!
    this.members.delete(oldest)
    this.ring[this.next] = id
    this.next = (this.next + 1) % this.capacity
    return oldest
  }

  /** Takes back the latest insert, which pushed out `evicted` (undefined if the set was not full). */
  protected uninsert(id: string, evicted: string | undefined): void {
    this.members.delete(id)
    if (evicted === undefined) {
      this.ring.pop()
      return
    }
    this.next = (this.next - 1 + this.capacity) % this.capacity
    this.ring[this.next] = evicted
    this.members.add(evicted)
  }
}
