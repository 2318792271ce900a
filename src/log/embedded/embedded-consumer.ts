import { LogError } from '../errors.js'
import type {
  Consumer,
  ConsumerOptions,
  LogRecord,
  PollOptions,
  StartPosition,
  TopicPartitionOffset,
} from '../port.js'
import type { ChangeSignal } from './change-signal.js'
import type { GroupLease } from './group-lease.js'
import type { RecordReader } from './record-reader.js'
import type { LogStore } from './store.js'
import type { TopicRow } from './topic-catalogue.js'

interface Assignment {
  readonly topic: TopicRow
  readonly partition: number
  /** Just past the last record poll returned: where the next poll reads, and what commit stores. */
  position: number
}

/**
 * A consumer of every partition of its topics. With a group, it starts from the committed
 * positions and holds the group's lease until closed.
 */
export class EmbeddedConsumer implements Consumer {
  private closed = false
  private turn = 0

  private constructor(
    private readonly store: LogStore,
    private readonly signal: ChangeSignal,
    private readonly assignments: readonly Assignment[],
    private readonly lease: GroupLease | undefined,
    private readonly guard: <T>(work: () => T) => T,
    private readonly onClose: (consumer: EmbeddedConsumer) => void,
  ) {}

  static create(
    store: LogStore,
    signal: ChangeSignal,
    options: ConsumerOptions,
    lease: GroupLease | undefined,
    guard: <T>(work: () => T) => T,
    onClose: (consumer: EmbeddedConsumer) => void,
  ): EmbeddedConsumer {
    const from = options.from ?? { type: 'latest' }
    const assignments = store.snapshot(() =>
      options.topics.flatMap((name) => {
        const topic = store.topics.get(name)
        return Array.from({ length: topic.partitions }, (_, partition): Assignment => {
          const committed = lease ? store.groups.committed(lease.groupId, topic, partition) : undefined
          const position = committed ?? startOffset(store.reader, topic, partition, from)
          return { topic, partition, position }
        })
      }),
    )
    return new EmbeddedConsumer(store, signal, assignments, lease, guard, onClose)
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    const maxRecords = Math.max(1, options.maxRecords ?? 1000)
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 100)
    for (;;) {
      if (this.closed) return []
      const version = this.guard(() => this.signal.version())
      const records = this.guard(() => this.fetch(maxRecords))
      if (records.length > 0) {
        // Reads and writes here are synchronous: a processor with a backlog would otherwise loop on resolved
        // promises alone, and its timers and IPC (its reports, its parent's stop, a closed channel) would wait
        // until the backlog was gone. One turn of the event loop per batch lets them through.
        await new Promise<void>((resolve) => setImmediate(resolve))
        return records
      }
      if (Date.now() >= deadline) return records
      await this.signal.wait(deadline, version)
    }
  }

  private fetch(maxRecords: number): LogRecord[] {
    return this.store.snapshot(() => {
      const records: LogRecord[] = []
      const count = this.assignments.length
      // Start from a different partition each time so a busy one cannot starve the others.
      for (let i = 0; i < count && records.length < maxRecords; i += 1) {
        const assignment = this.assignments[(this.turn + i) % count]!
        const wanted = maxRecords - records.length
        const batch = this.store.reader.fetch(assignment.topic, assignment.partition, assignment.position, wanted)
        for (const record of batch) records.push(record)
        const last = batch.at(-1)
        if (last) assignment.position = last.offset + 1
        if (batch.length < wanted) {
          // Compaction and retention leave gaps: skip to the end rather than re-reading nothing.
          assignment.position = Math.max(assignment.position, this.store.reader.endOffset(assignment.topic, assignment.partition))
        }
      }
      this.turn = (this.turn + 1) % Math.max(1, count)
      return records
    })
  }

  async commit(positions?: readonly TopicPartitionOffset[]): Promise<void> {
    if (!this.lease) {
      throw new LogError('RISKCTL_LOG_FAILURE', 'Only a consumer with a groupId can commit positions.')
    }
    const lease = this.lease
    const offsets = positions ?? this.positions()
    this.guard(() => this.store.groups.commit(lease.groupId, offsets))
  }

  get groupId(): string | undefined {
    return this.lease?.groupId
  }

  positions(): readonly TopicPartitionOffset[] {
    return this.assignments.map((a) => ({ topic: a.topic.name, partition: a.partition, offset: a.position }))
  }

  async endOffsets(): Promise<TopicPartitionOffset[]> {
    return this.guard(() =>
      this.store.snapshot(() =>
        this.assignments.map((a) => ({
          topic: a.topic.name,
          partition: a.partition,
          offset: this.store.reader.endOffset(a.topic, a.partition),
        })),
      ),
    )
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.lease?.release()
    this.onClose(this)
    this.signal.notify()
  }
}

function startOffset(reader: RecordReader, topic: TopicRow, partition: number, from: StartPosition): number {
  switch (from.type) {
    case 'earliest':
      return reader.startOffset(topic, partition)
    case 'latest':
      return reader.endOffset(topic, partition)
    case 'timestamp':
      return reader.offsetForTimestamp(topic, partition, from.timestamp)
    case 'offsets': {
      const given = from.offsets.find((o) => o.topic === topic.name && o.partition === partition)
      return given?.offset ?? reader.startOffset(topic, partition)
    }
  }
}
