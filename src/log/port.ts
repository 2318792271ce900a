import type { TopicSpec } from '../../topologies/topics.js'

/**
 * The event-log port: everything the processors and commands need from a log, and nothing more.
 * It is shaped after Kafka so that the kafkajs adapter maps onto it one to one, and the embedded
 * adapter gives the same guarantees on one machine. Keys are strings (every riskctl key is one);
 * values are bytes, so a malformed record can travel to the router and on to the dead-letter topic.
 */
export type RecordHeaders = Readonly<Record<string, string>>

export interface ProduceRecord {
  readonly key: string | null
  /** null is a tombstone: on a compacted topic it deletes the key. */
  readonly value: Buffer | null
  /** Epoch ms; defaults to the time of the append. */
  readonly timestamp?: number
  readonly headers?: RecordHeaders
  /** Explicit partition; by default the key is hashed (murmur2, as Kafka's default partitioner). */
  readonly partition?: number
}

export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number
}

/** What an acknowledged produce returns for each record, in input order. */
export type RecordMetadata = TopicPartitionOffset

export interface LogRecord extends TopicPartitionOffset {
  readonly key: string | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: RecordHeaders
}

export type StartPosition =
  | { readonly type: 'earliest' }
  | { readonly type: 'latest' }
  /** The first record whose timestamp is at or after `timestamp`, per partition (Kafka's offsetsForTimes). */
  | { readonly type: 'timestamp'; readonly timestamp: number }
  /** Exact next offsets; a partition not listed starts at its earliest record. */
  | { readonly type: 'offsets'; readonly offsets: readonly TopicPartitionOffset[] }

export interface ConsumerOptions {
  readonly topics: readonly string[]
  /**
   * With a group, positions are committed under this id and a restarted consumer resumes from
   * them; `from` applies only to partitions the group has never committed.
   */
  readonly groupId?: string
  /** Where to start; defaults to `latest`. */
  readonly from?: StartPosition
}

export interface PollOptions {
  /** At most this many records are returned (default 1000). */
  readonly maxRecords?: number
  /** How long to wait for the first record before returning an empty batch (default 100). */
  readonly maxWaitMs?: number
}

export interface Consumer {
  /**
   * Returns the next records in offset order per partition, waiting up to maxWaitMs for the first
   * one. Resolves with an empty batch when closed.
   */
  poll(options?: PollOptions): Promise<LogRecord[]>
  /**
   * Commits the group's positions: by default, just past every record poll has returned so far.
   * Call it only after the outputs those records caused were acknowledged.
   */
  commit(positions?: readonly TopicPartitionOffset[]): Promise<void>
  /** The next offset this consumer will read, per assigned partition. */
  positions(): readonly TopicPartitionOffset[]
  /** The log end offset (the offset the next append will get) of every assigned partition. */
  endOffsets(): Promise<TopicPartitionOffset[]>
  close(): Promise<void>
}

/** A compacted topic read to its end: the newest record per key, and where the end was. */
export interface CompactedView {
  readonly records: ReadonlyMap<string, LogRecord>
  readonly endOffsets: readonly TopicPartitionOffset[]
}

export type ConfigSource =
  'TOPIC_CONFIG' | 'DEFAULT_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DYNAMIC_BROKER_CONFIG'

export interface TopicConfigEntry {
  readonly name: string
  readonly value: string
  readonly source: ConfigSource
}

export interface PartitionDescription {
  readonly partition: number
  readonly leader: number | null
  readonly replicas: readonly number[]
  /** Offset of the oldest record still present. */
  readonly startOffset: number
  /** Offset the next append will get. */
  readonly endOffset: number
  /** Records present: below endOffset - startOffset once compaction or retention has removed some. */
  readonly records: number
  /** Distinct keys among the records present. */
  readonly distinctKeys: number
}

export interface TopicDescription {
  readonly name: string
  readonly partitions: readonly PartitionDescription[]
  readonly configs: readonly TopicConfigEntry[]
  readonly records: number
  readonly distinctKeys: number
}

export interface CreateTopicsResult {
  readonly created: readonly string[]
  readonly existing: readonly string[]
}

/** Records to append to one topic, as one part of an atomic write. */
export interface TopicBatch {
  readonly topic: string
  readonly records: readonly ProduceRecord[]
}

/** A group's positions, committed in the same transaction as the appends they go with. */
export interface GroupCommit {
  readonly groupId: string
  readonly offsets: readonly TopicPartitionOffset[]
}

export interface EventLog {
  /** Which adapter this is and where it lives, for status lines and errors (never a secret). */
  readonly description: string
  /**
   * How many records a processor should decide per atomic write on this log, where the adapter
   * knows better than the processor: what one write costs differs by orders of magnitude.
   */
  readonly preferredWriteBatch?: number
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult>
  listTopics(): Promise<string[]>
  /** Throws a LogError with code RISKCTL_TOPIC_NOT_FOUND for an unknown topic. */
  describeTopic(topic: string): Promise<TopicDescription>
  /** Appends records as one batch and resolves once all of them are durable. */
  produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]>
  /**
   * Appends to several topics and commits a group's positions atomically: all of it, or none of
   * it (a Kafka transaction with sendOffsets). A processor that writes its outputs and its
   * progress this way neither loses nor repeats an input across a crash.
   */
  write(batches: readonly TopicBatch[], commit?: GroupCommit): Promise<RecordMetadata[]>
  consumer(options: ConsumerOptions): Promise<Consumer>
  /**
   * Where every partition of these topics ends now: the offset the next record appended will get, as a
   * consumer's endOffsets() gives it, without opening one. A consumer started there later reads everything
   * appended since this call.
   */
  endOffsets(topics: readonly string[]): Promise<TopicPartitionOffset[]>
  /** Reads a compacted topic from its start to its current end. */
  readCompacted(topic: string): Promise<CompactedView>
  /**
   * A group's committed positions on a topic, read without joining the group: what a write with
   * that group's commit last made durable. Partitions the group never committed are absent.
   */
  committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>
  /**
   * Readies the writer a write with this commit will use, where the adapter has one: on Kafka, the
   * transactional producer, whose registration waits for (or aborts) any transaction an earlier
   * writer of the same id left unfinished. Read a group's positions after it, not before.
   */
  prepareCommit?(commit: GroupCommit): Promise<void>
  /**
   * Readies the producer that produce() (and write() without a commit) appends through, where the adapter has
   * one: on Kafka, connecting it and registering it as idempotent takes a few round trips, which a command
   * about to append can spend while it reads. A failure is left for the append to report.
   */
  prepareProduce?(): Promise<void>
  close(): Promise<void>
}
