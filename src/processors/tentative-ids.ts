import { RecentIds } from '../domain/recent-ids.js'

/**
 * RecentIds whose latest additions count only once the write that decided them is durable. A
 * failed write's records are read again; had their ids stayed remembered, each would come back
 * as a DUPLICATE of itself.
 */
export class TentativeIds extends RecentIds {
  private readonly tentative = new Set<string>()

  override has(id: string): boolean {
    return this.tentative.has(id) || super.has(id)
  }

  override add(id: string): boolean {
    if (this.has(id)) return false
    this.tentative.add(id)
    return true
  }

  /** The write succeeded: remember for good. */
  confirm(): void {
    for (const id of this.tentative) super.add(id)
    this.tentative.clear()
  }

  /** The write failed: forget what it decided. */
  rollback(): void {
    this.tentative.clear()
  }
}
