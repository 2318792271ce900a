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

  /** How many of the delivered records the processor was given: those no earlier delivery decided. */
  get served(): number {
    return this.batch?.size ?? 0
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
      const progress = await this.delegate.committedOffsets(this.trigger.progressGroup, this.trigger.topic)
      const done = new Map(progress.map((p) => [p.partition, p.offset]))
      this.batch = new BatchConsumer(
        this.trigger.records.filter((record) => record.offset >= (done.get(record.partition) ?? 0)),
      )
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
