import type { TopicSpec } from '../../../topologies/topics.js'
import { KILL_STATE } from '../../../topologies/topics.js'
import type {
  CompactedView,
  Consumer,
  ConsumerOptions,
  CreateTopicsResult,
  EventLog,
  GroupCommit,
  LogRecord,
  ProduceRecord,
  RecordMetadata,
  TopicBatch,
  TopicDescription,
  TopicPartitionOffset,
} from '../../log/port.js'
import { BatchConsumer } from './batch-consumer.js'

/**
 * The event-log port as a processor sees it inside one Lambda invocation. The triggering topic is
 * served from the delivered batch; the state topic was just read to its end by readCompacted, and
 * that read governs the whole batch (fail closed), so following it returns nothing more; every
 * other call goes to the real log. `finished` aborts once the processor has written its outputs
 * and committed past the last record of the batch: the point where its long-running loop would
 * move on to the next poll.
 *
 * The mapping commits its group's offsets only after the handler returns, so a batch whose outputs
 * were written can still be delivered again (a timeout, a failed cache write). The processor's own
 * commit therefore goes, in the same transaction as its outputs, to a progress group of the
 * function's own, and a delivery serves only the records past that group's committed positions:
 * a redelivered batch is decided, forwarded and audited once.
 */
export class TriggeredLog implements EventLog {
  readonly description: string
  private readonly controller = new AbortController()
  private batch: BatchConsumer | undefined
  /** Records the first consumer skipped: decided by an earlier delivery, not by any attempt of this one. */
  private skipped: readonly LogRecord[] | undefined

  constructor(
    private readonly delegate: EventLog,
    private readonly trigger: {
      readonly topic: string
      readonly records: readonly LogRecord[]
      /** The group the processor's commits go to; the mapping's own group is the mapping's. */
      readonly progressGroup: string
    },
  ) {
    this.description = `${delegate.description} (one Lambda batch of ${trigger.topic})`
    if (trigger.records.length === 0) this.controller.abort()
  }

  get finished(): AbortSignal {
    return this.controller.signal
  }

  createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
    return this.delegate.createTopics(specs)
  }

  listTopics(): Promise<string[]> {
    return this.delegate.listTopics()
  }

  describeTopic(topic: string): Promise<TopicDescription> {
    return this.delegate.describeTopic(topic)
  }

  produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.delegate.produce(topic, records)
  }

  /** The delivered records an earlier delivery had decided. */
  get redelivered(): readonly LogRecord[] {
    return this.skipped ?? []
  }

  /** The group commit goes to the progress group, atomically with the outputs. */
  async write(batches: readonly TopicBatch[], commit?: GroupCommit): ReturnType<EventLog['write']> {
    const outputs = batches.filter((batch) => batch.records.length > 0)
    const metadata = await (commit === undefined
      ? this.delegate.write(outputs)
      : this.delegate.write(outputs, { groupId: this.trigger.progressGroup, offsets: commit.offsets }))
    if (commit !== undefined && this.batch?.drained === true) this.controller.abort()
    return metadata
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    if (options.topics.length === 1 && options.topics[0] === this.trigger.topic) {
      const { topic, records, progressGroup } = this.trigger
      // The commit always names every partition of the delivery, so every attempt at this batch writes
      // with the same transactional id; registering it first finishes (or aborts) a transaction an
      // earlier attempt left in flight, before its progress is read.
      const delivered = firstOffsets(records)
      await this.delegate.prepareCommit?.({ groupId: progressGroup, offsets: delivered })
      const progress = await this.delegate.committedOffsets(progressGroup, topic)
      const done = new Map(progress.map((p) => [p.partition, p.offset]))
      const isFresh = (record: LogRecord) => record.offset >= (done.get(record.partition) ?? 0)
      const fresh = records.filter(isFresh)
      this.skipped ??= records.filter((record) => !isFresh(record))
      const starts = delivered.map((at) => ({
        ...at,
        offset: Math.max(at.offset, done.get(at.partition) ?? 0),
      }))
      this.batch = new BatchConsumer(fresh, starts)
      // All of it decided by an earlier delivery: nothing to write, so nothing would end the run.
      if (this.batch.drained) this.controller.abort()
      return this.batch
    }
    if (options.topics.length === 1 && options.topics[0] === KILL_STATE) return new BatchConsumer([])
    return this.delegate.consumer(options)
  }

  readCompacted(topic: string): Promise<CompactedView> {
    return this.delegate.readCompacted(topic)
  }

  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.delegate.committedOffsets(groupId, topic)
  }

  /** The real log outlives the invocation: a warm Lambda reuses its connections. */
  async close(): Promise<void> {}
}

/** Each partition's first offset in the delivery. */
function firstOffsets(records: readonly LogRecord[]): TopicPartitionOffset[] {
  const first = new Map<number, TopicPartitionOffset>()
  for (const { topic, partition, offset } of records) {
    const seen = first.get(partition)
    if (seen === undefined || offset < seen.offset) first.set(partition, { topic, partition, offset })
  }
  return [...first.values()]
}
