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
} from '../../log/port.js'
import { BatchConsumer } from './batch-consumer.js'

/**
 * The event-log port as a processor sees it inside one Lambda invocation. The triggering topic is
 * served from the delivered batch; the state topic was just read to its end by readCompacted, and
 * that read governs the whole batch (fail closed), so following it returns nothing more; every
 * other call goes to the real log. `finished` aborts once the processor has written its outputs
 * and committed past the last record of the batch: the point where its long-running loop would
 * move on to the next poll.
 */
export class TriggeredLog implements EventLog {
  readonly description: string
  private readonly controller = new AbortController()
  private batch: BatchConsumer | undefined

  constructor(
    private readonly delegate: EventLog,
    private readonly trigger: { readonly topic: string; readonly records: readonly LogRecord[] },
    /** The state topic as the handler read it for this batch: served once, instead of a second read. */
    private state?: CompactedView,
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

  /** The group commit is dropped: the event source mapping commits the batch when the handler returns. */
  async write(batches: readonly TopicBatch[], commit?: GroupCommit): ReturnType<EventLog['write']> {
    const metadata = await this.delegate.write(batches.filter((batch) => batch.records.length > 0))
    if (commit !== undefined && this.batch?.drained === true) this.controller.abort()
    return metadata
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    if (options.topics.length === 1 && options.topics[0] === this.trigger.topic) {
      this.batch = new BatchConsumer(this.trigger.records)
      return this.batch
    }
    if (options.topics.length === 1 && options.topics[0] === KILL_STATE) return new BatchConsumer([])
    return this.delegate.consumer(options)
  }

  readCompacted(topic: string): Promise<CompactedView> {
    const state = this.state
    if (topic === KILL_STATE && state !== undefined) {
      // Once: a processor's restart after a failure reads the topic afresh.
      this.state = undefined
      return Promise.resolve(state)
    }
    return this.delegate.readCompacted(topic)
  }

  /** The real log outlives the invocation: a warm Lambda reuses its connections. */
  async close(): Promise<void> {}
}
