import type { LogRecord, TopicPartitionOffset } from '../log/port.js'

/**
 * Hands on a multi-partition topic's records in append-time order, as far as that order is known. A consumer
 * returns each partition in order, but catching up on a backlog it may return a minute of one partition before
 * the same minute of another; judged as they come, the second partition's orders would be late for every
 * window the first moved on. Here a record is released only once every partition has shown a record at least
 * as new, or is known to hold nothing more (caught up: what it gets from now on is appended later).
 */
export class TimeMerge {
  private readonly queues = new Map<number, LogRecord[]>()
  /** The newest append time each partition has shown: how far it is known to have got. */
  private readonly newest = new Map<number, number>()
  /** Partitions read to their end at the last check and given nothing since. */
  private readonly caughtUp = new Set<number>()

  constructor(partitions: Iterable<number> = []) {
    for (const partition of partitions) this.queues.set(partition, [])
  }

  get buffered(): number {
    let count = 0
    for (const queue of this.queues.values()) count += queue.length
    return count
  }

  push(records: readonly LogRecord[]): void {
    for (const record of records) {
      let queue = this.queues.get(record.partition)
      if (queue === undefined) {
        queue = []
        this.queues.set(record.partition, queue)
      }
      queue.push(record)
      this.newest.set(record.partition, Math.max(this.newest.get(record.partition) ?? -Infinity, record.timestamp))
      this.caughtUp.delete(record.partition)
    }
  }

  /** Partitions whose order is unknown: nothing buffered and not known to be at their end. */
  unknownPartitions(): number[] {
    const unknown: number[] = []
    for (const [partition, queue] of this.queues)
      if (queue.length === 0 && !this.caughtUp.has(partition)) unknown.push(partition)
    return unknown
  }

  /** What the consumer says of where it stands: a partition whose position reached its end is caught up. */
  noteEnds(positions: readonly TopicPartitionOffset[], ends: readonly TopicPartitionOffset[]): void {
    const at = new Map(positions.map((p) => [p.partition, p.offset]))
    for (const end of ends) {
      if (!this.queues.has(end.partition)) this.queues.set(end.partition, [])
      if ((at.get(end.partition) ?? 0) >= end.offset && this.queues.get(end.partition)!.length === 0) {
        this.caughtUp.add(end.partition)
      }
    }
  }

  /** The append time of the oldest record held back, or +Infinity when none is. */
  oldestHeld(): number {
    let oldest = Number.POSITIVE_INFINITY
    for (const queue of this.queues.values()) for (const record of queue) oldest = Math.min(oldest, record.timestamp)
    return oldest
  }

  /** True when nothing is buffered and every partition is known to be at its end. */
  get isCaughtUp(): boolean {
    for (const [partition, queue] of this.queues)
      if (queue.length > 0 || !this.caughtUp.has(partition)) return false
    return true
  }

  /**
   * Every record that can be placed in time order now: merged by append time, oldest first, each partition's
   * records staying in offset order (a clock that stepped back does not reorder a partition).
   */
  release(): LogRecord[] {
    let bound = Number.POSITIVE_INFINITY
    for (const [partition, queue] of this.queues) {
      if (queue.length > 0) bound = Math.min(bound, this.newest.get(partition)!)
      else if (!this.caughtUp.has(partition)) return []
    }
    const queues = [...this.queues.values()].filter((queue) => queue.length > 0)
    const next = queues.map(() => 0)
    const released: LogRecord[] = []
    for (;;) {
      let pick = -1
      for (let i = 0; i < queues.length; i += 1) {
        const head = queues[i]![next[i]!]
        if (head === undefined || head.timestamp > bound) continue
        if (pick < 0 || head.timestamp < queues[pick]![next[pick]!]!.timestamp) pick = i
      }
      if (pick < 0) break
      released.push(queues[pick]![next[pick]!]!)
      next[pick]! += 1
    }
    queues.forEach((queue, i) => queue.splice(0, next[i]))
    return released
  }

  /**
   * Where a group may commit: before the first record still held back, or the consumer's position where
   * nothing is. A restart then reads the held-back records again.
   */
  commitPositions(positions: readonly TopicPartitionOffset[]): TopicPartitionOffset[] {
    return positions.map((position) => {
      const first = this.queues.get(position.partition)?.[0]
      return first === undefined ? position : { ...position, offset: first.offset }
    })
  }
}
