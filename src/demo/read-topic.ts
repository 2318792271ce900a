import type { EventLog } from '../log/port.js'

/** Every value of a (small) topic from its start to its current end, decoded as JSON. */
export async function readTopicValues<T>(log: EventLog, topic: string): Promise<T[]> {
  const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
  try {
    const ends = await consumer.endOffsets()
    const values: T[] = []
    const reached = () =>
      ends.every((end) => (consumer.positions().find((p) => p.partition === end.partition)?.offset ?? 0) >= end.offset)
    while (!reached()) {
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 })) {
        if (record.value === null) continue
        try {
          values.push(JSON.parse(record.value.toString('utf8')) as T)
        } catch {
          // Not JSON: not one of ours; the walkthrough shows only what it can read.
        }
      }
    }
    return values.sort((a, b) => tsOf(a) - tsOf(b))
  } finally {
    await consumer.close()
  }
}

function tsOf(value: unknown): number {
  const ts = (value as { ts?: unknown }).ts
  return typeof ts === 'number' ? ts : 0
}
