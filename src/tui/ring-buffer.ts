/**
 * A fixed-capacity buffer that overwrites its oldest item, so a pane following a fast topic holds
 * a bounded number of records however long the view runs.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[]
  private next = 0
  private size = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  get length(): number {
    return this.size
  }

  push(item: T): void {
    this.items[this.next] = item
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
  }

  /** The item `index` places back from the newest (0 is the newest). */
  fromNewest(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return undefined
    return this.items[(this.next - 1 - index + this.capacity) % this.capacity]
  }

  /** Up to `limit` items starting `skip` places back from the newest, newest first. */
  newestFirst(limit: number = this.size, skip = 0): T[] {
    const out: T[] = []
    for (let index = skip; index < Math.min(this.size, skip + limit); index += 1)
      out.push(this.fromNewest(index)!)
    return out
  }
}
