import { LogError } from '../errors.js'
import type { Consumer, ConsumerOptions, LogRecord } from '../port.js'

export interface Watermarks {
  readonly partition: number
  /** The log start offset: the oldest record retention has left. */
  readonly low: number
  /** The end (last stable offset: the high watermark unless a transaction is open). */
  readonly high: number
}

export interface PartitionCount {
  records: number
  readonly keys: Set<string>
}

export interface ScanResult {
  readonly partitions: ReadonlyMap<number, PartitionCount>
  /** True when the scan stopped at its record limit before the end. */
  readonly truncated: boolean
}

/**
 * Counting what compaction left needs reading it: Kafka reports offsets, not records. riskctl's
 * topics are small (the compacted state topic holds one record per scope), so describe-topic
 * reads up to this many records and reports offset arithmetic beyond it.
 */
export const SCAN_LIMIT = 200_000
/** An open transaction holds the end (read_committed); Kafka aborts one after its 30 s timeout at most. */
const SCAN_TIMEOUT_MS = 60_000

/** Reads a topic from its start offsets to the given ends, through a consumer of no group. */
export async function scanTopic(
  open: (options: ConsumerOptions) => Promise<Consumer>,
  topic: string,
  watermarks: readonly Watermarks[],
  visit: (record: LogRecord) => void = () => undefined,
  limit = SCAN_LIMIT,
): Promise<ScanResult> {
  const partitions = new Map<number, PartitionCount>(
    watermarks.map((w) => [w.partition, { records: 0, keys: new Set() }]),
  )
  const ends = new Map(watermarks.map((w) => [w.partition, w.high]))
  if (watermarks.every((w) => w.high <= w.low)) return { partitions, truncated: false }
  const consumer = await open({
    topics: [topic],
    from: {
      type: 'offsets',
      offsets: watermarks.map((w) => ({ topic, partition: w.partition, offset: w.low })),
    },
  })
  try {
    const deadline = Date.now() + SCAN_TIMEOUT_MS
    let counted = 0
    for (;;) {
      const reached = consumer.positions().every((p) => p.offset >= (ends.get(p.partition) ?? 0))
      if (reached) return { partitions, truncated: false }
      if (counted >= limit) return { partitions, truncated: true }
      if (Date.now() > deadline) {
        throw new LogError(
          'RISKCTL_LOG_FAILURE',
          `Could not read ${topic} to its end within ${SCAN_TIMEOUT_MS / 1000}s; is a transaction on it still open?`,
          { retriable: true },
        )
      }
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 200 })) {
        // Appended after the ends were taken: not part of this snapshot.
        if (record.offset >= (ends.get(record.partition) ?? 0)) continue
        const count = partitions.get(record.partition)
        if (!count) continue
        count.records += 1
        if (record.key !== null) count.keys.add(record.key)
        counted += 1
        visit(record)
      }
    }
  } finally {
    await consumer.close()
  }
}
