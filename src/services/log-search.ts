import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'

/** Where a search starts: every partition from its start or from a time, or one partition from one offset. */
export type SearchStart =
  | { readonly type: 'earliest'; readonly partition?: number | undefined }
  | { readonly type: 'timestamp'; readonly timestamp: number }
  | { readonly type: 'at'; readonly partition: number; readonly offset: number }

export interface SearchOptions {
  readonly start: SearchStart
  /** A partition is done once it shows a record stamped after this (epoch ms): the rest is later still. */
  readonly untilTs?: number | undefined
  /** Stop at the first match. */
  readonly first?: boolean | undefined
  /** At most this many records are read, so that a search of a busy log is bounded. */
  readonly maxRecords?: number | undefined
}

export interface SearchResult {
  readonly matches: LogRecord[]
  readonly read: number
  /** The search stopped at maxRecords before reaching the end of what it was to read. */
  readonly cutShort: boolean
}

const DEFAULT_MAX_RECORDS = 5_000_000

/**
 * Reads `topic` from `start` up to where it ends now, keeping the records `match` picks: how evidence is found on a
 * log that has no index of its own. Partitions outside the start (a one-partition search) are not read.
 */
export async function searchLog(
  log: EventLog,
  topic: string,
  options: SearchOptions,
  match: (record: LogRecord) => boolean,
): Promise<SearchResult> {
  const ends = await log.endOffsets([topic])
  const start = options.start
  const only =
    start.type === 'at' || (start.type === 'earliest' && start.partition !== undefined)
      ? start.partition
      : undefined
  // Other partitions start at their end: nothing of them is read.
  const offsets: TopicPartitionOffset[] = ends
    .filter((end) => only !== undefined && end.partition !== only)
    .concat(start.type === 'at' ? [{ topic, partition: start.partition, offset: start.offset }] : [])
  const consumer = await log.consumer({
    topics: [topic],
    from:
      start.type === 'timestamp'
        ? { type: 'timestamp', timestamp: start.timestamp }
        : { type: 'offsets', offsets },
  })
  const bound = new Map(
    ends
      .filter((end) => only === undefined || end.partition === only)
      .map((end) => [end.partition, end.offset]),
  )
  const passed = new Set<number>()
  const matches: LogRecord[] = []
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS
  let read = 0
  const isDone = (): boolean => {
    const at = new Map(consumer.positions().map((p) => [p.partition, p.offset]))
    for (const [partition, end] of bound)
      if (!passed.has(partition) && (at.get(partition) ?? 0) < end) return false
    return true
  }
  try {
    while (!isDone()) {
      if (read >= maxRecords) return { matches, read, cutShort: true }
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 })) {
        const end = bound.get(record.partition)
        if (end === undefined || record.offset >= end || passed.has(record.partition)) continue
        read += 1
        if (options.untilTs !== undefined && record.timestamp > options.untilTs) {
          passed.add(record.partition)
          continue
        }
        if (!match(record)) continue
        matches.push(record)
        if (options.first === true) return { matches, read, cutShort: false }
      }
    }
    return { matches, read, cutShort: false }
  } finally {
    await consumer.close()
  }
}
