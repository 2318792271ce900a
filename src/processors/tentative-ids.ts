import { RecentIds, type Evicted } from '../domain/recent-ids.js'

/**
 * RecentIds whose latest additions count only once the write that decided them is durable. A
 * failed write's records are read again; had their ids stayed remembered, each would come back
 * as a DUPLICATE of itself. Additions go straight into the set (one lookup per order on the hot
 * path) and are undone, newest first, on rollback. Writes may trail the decisions: confirm(n)
 * makes the oldest n pending additions final, and expiry never takes a pending one.
 */
export class TentativeIds extends RecentIds {
  private readonly added: string[] = []
  private readonly evicted: (Evicted | undefined)[] = []

  override add(id: string, atMs = 0): boolean {
    // One hash lookup rather than has() then add(): the router asks this of every order.
    const size = this.members.size
    this.members.add(id)
    if (this.members.size === size) return false
    this.added.push(id)
    this.evicted.push(this.insert(id, atMs))
    return true
  }

  /** Additions not yet confirmed: those of the decisions whose writes are still to come or under way. */
  get pending(): number {
    return this.added.length
  }

  /** The write succeeded: remember for good its additions, the oldest `count` pending (default: all). */
  confirm(count = this.added.length): void {
    this.added.splice(0, count)
    this.evicted.splice(0, count)
  }

  override expireBefore(beforeMs: number): void {
    this.expire(beforeMs, this.added.length)
  }

  /** The write failed: forget what it decided, and bring back what that pushed out. */
  rollback(): void {
    for (let i = this.added.length - 1; i >= 0; i -= 1) this.uninsert(this.added[i]!, this.evicted[i])
    this.confirm()
  }
}
