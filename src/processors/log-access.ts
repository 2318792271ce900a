import type { EventLog, GroupCommit, ProduceRecord, RecordMetadata, TopicBatch } from '../log/port.js'

/** What a processor may read of the log. Nothing here appends: a reader cannot write a state record, or any other. */
export type LogReader = Pick<
  EventLog,
  'description' | 'preferredWriteBatch' | 'consumer' | 'readCompacted' | 'committedOffsets'
>

/** Records per topic for one atomic write; a topic the writer was not made for is a type error. */
export type Outputs<T extends string> = { readonly [K in T]?: readonly ProduceRecord[] }

/**
 * Appends to its own output topics only, with the group's position in the same atomic write. Each processor is
 * handed one made for exactly its outputs: the router's cannot name killswitch.state.v1, the detector's is
 * wrapped further so that it cannot even express an UNKILL (kill-requester.ts).
 */
export interface TopicWriter<T extends string> {
  readonly topics: readonly T[]
  /** Readies the transactional writer of this commit (registering it fences an earlier one): before reading the group's position. */
  prepare(commit: GroupCommit): Promise<void>
  write(outputs: Outputs<T>, commit?: GroupCommit): Promise<RecordMetadata[]>
}

/** A processor's view of the log: read anything, write only its own outputs. */
export interface ProcessorLog<T extends string> {
  readonly reader: LogReader
  readonly writer: TopicWriter<T>
}

export function createTopicWriter<const T extends string>(log: EventLog, topics: readonly T[]): TopicWriter<T> {
  const allowed: ReadonlySet<string> = new Set(topics)
  return {
    topics,
    prepare: async (commit) => {
      await log.prepareCommit?.(commit)
    },
    write: (outputs, commit) => {
      const batches: TopicBatch[] = []
      for (const [topic, records] of Object.entries<readonly ProduceRecord[] | undefined>(outputs)) {
        // The types already forbid it; this holds for a caller that went round them too.
        if (!allowed.has(topic)) throw new Error(`this writer may not append to ${topic}; only to ${topics.join(', ')}`)
        // A topic with nothing to append is left out of the transaction: the commit alone still goes.
        if (records !== undefined && records.length > 0) batches.push({ topic, records })
      }
      return log.write(batches, commit)
    },
  }
}

/** The reader half of an event log, as a value of its own: the object handed on has no write method at all. */
export function readerOf(log: EventLog): LogReader {
  return {
    description: log.description,
    ...(log.preferredWriteBatch === undefined ? {} : { preferredWriteBatch: log.preferredWriteBatch }),
    consumer: (options) => log.consumer(options),
    readCompacted: (topic) => log.readCompacted(topic),
    committedOffsets: (groupId, topic) => log.committedOffsets(groupId, topic),
  }
}

export function processorLog<const T extends string>(log: EventLog, topics: readonly T[]): ProcessorLog<T> {
  return { reader: readerOf(log), writer: createTopicWriter(log, topics) }
}
