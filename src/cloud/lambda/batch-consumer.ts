import type { Consumer, LogRecord, PollOptions, TopicPartitionOffset } from '../../log/port.js'

/**
 * The port's Consumer over a fixed list of records: the batch an event source mapping delivered,
 * or nothing at all. Commits are no-ops because the mapping owns the group's offsets and commits
 * them once the invocation succeeds.
 */
export class BatchConsumer implements Consumer {
  private next = 0
  private closed = false
  private readonly start: Map<string, TopicPartitionOffset>

  /**
   * `starts` gives the position of partitions before their first record here, and of partitions
   * with none: positions() then covers every partition of the delivery, whatever was filtered out.
   */
  constructor(
    private readonly records: readonly LogRecord[],
    starts: readonly TopicPartitionOffset[] = [],
  ) {
    this.start = new Map(starts.map((s) => [`${s.partition}@${s.topic}`, s]))
    for (const record of records) {
      const id = `${record.partition}@${record.topic}`
      if (!this.start.has(id))
        this.start.set(id, { topic: record.topic, partition: record.partition, offset: record.offset })
    }
  }

  get drained(): boolean {
    return this.next >= this.records.length
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    if (this.closed) return []
    if (this.drained) {
      // Like a real consumer with nothing to read: wait, so a caller's loop does not spin.
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.maxWaitMs ?? 100, 100)))
      return []
    }
    const taken = this.records.slice(this.next, this.next + Math.max(1, options.maxRecords ?? 1000))
    this.next += taken.length
    return taken
  }

  async commit(): Promise<void> {}

  positions(): readonly TopicPartitionOffset[] {
    const positions = new Map(this.start)
    for (const record of this.records.slice(0, this.next)) {
      positions.set(`${record.partition}@${record.topic}`, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1,
      })
    }
    return [...positions.values()]
  }

  /** The batch's end is all this consumer will ever see. */
  async endOffsets(): Promise<TopicPartitionOffset[]> {
    const ends = new Map(this.start)
    for (const record of this.records) {
      ends.set(`${record.partition}@${record.topic}`, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1,
      })
    }
    return [...ends.values()]
  }

  async close(): Promise<void> {
    this.closed = true
  }
}
