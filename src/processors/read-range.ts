import type { LogReader } from './log-access.js'
import type { LogRecord, StartPosition, TopicPartitionOffset } from '../log/port.js'

/**
 * Reads one topic from `from` up to (not including) `until`, per partition, handing each batch to `onRecords`:
 * how a processor rebuilds what it must remember across a restart from the log itself. Without `until`, up to
 * the end offsets as of the call. Records past a partition's bound are not handed on.
 */
export async function readRange(
  log: LogReader,
  topic: string,
  from: StartPosition,
  onRecords: (records: readonly LogRecord[]) => void,
  until?: readonly TopicPartitionOffset[],
): Promise<void> {
  const consumer = await log.consumer({ topics: [topic], from })
  try {
    const ends = await consumer.endOffsets()
    const bound = new Map(ends.filter((end) => end.topic === topic).map((end) => [end.partition, end.offset]))
    // Never past the end: a bound beyond it (a commit naming records this log does not hold) would never be reached.
    if (until !== undefined) {
      const limits = new Map(until.filter((p) => p.topic === topic).map((p) => [p.partition, p.offset]))
      for (const [partition, end] of bound) bound.set(partition, Math.min(end, limits.get(partition) ?? 0))
    }
    const isDone = (): boolean => {
      const at = new Map(consumer.positions().map((p) => [p.partition, p.offset]))
      for (const [partition, end] of bound) if (end > 0 && (at.get(partition) ?? 0) < end) return false
      return true
    }
    while (!isDone()) {
      const batch = await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 })
      const within = batch.filter((record) => record.offset < (bound.get(record.partition) ?? 0))
      if (within.length > 0) onRecords(within)
    }
  } finally {
    await consumer.close()
  }
}
