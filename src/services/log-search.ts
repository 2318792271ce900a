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

/** Positions closer than this are read in one run rather than one by one. */
const RUN_GAP = 1000

/**
 * The records at these `partition:offset` positions of `topic`, each partition read in runs of nearby positions: a
 * handful of reads however far apart the positions lie. A position that holds no record is left out.
 */
export async function readPositions(
  log: EventLog,
  topic: string,
  positions: Iterable<string>,
): Promise<Map<string, LogRecord>> {
  const byPartition = new Map<number, number[]>()
  for (const position of positions) {
    const match = /^(\d+):(\d+)$/.exec(position)
    if (match === null) continue
    const partition = Number(match[1])
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), Number(match[2])])
  }
  const partitions = new Set((await log.endOffsets([topic])).map((end) => end.partition))
  const found = new Map<string, LogRecord>()
  for (const [partition, offsets] of byPartition) {
    if (!partitions.has(partition)) continue
    const wanted = new Set(offsets)
    const sorted = [...wanted].sort((a, b) => a - b)
    for (let i = 0; i < sorted.length;) {
      let j = i
      while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! < RUN_GAP) j += 1
      const [first, last] = [sorted[i]!, sorted[j]!]
      await searchLog(
        log,
        topic,
        { start: { type: 'at', partition, offset: first }, maxRecords: last - first + 1 },
        (record) => {
          if (record.offset > last) return false
          if (wanted.has(record.offset)) found.set(`${partition}:${record.offset}`, record)
          return false
        },
      )
      i = j + 1
    }
  }
  return found
}
