import type { LogRecord } from '../log/port.js'

/** One record as an MSK event source mapping delivers it: key and value base64, header values as byte arrays. */
export interface MskEventRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly key?: string
  readonly value?: string | null
  readonly headers?: readonly Readonly<Record<string, readonly number[]>>[]
}

export interface MskEvent {
  readonly eventSource: 'aws:kafka'
  readonly eventSourceArn: string
  readonly bootstrapServers?: string
  /** Keyed "topic-partition"; each list is in offset order. */
  readonly records: Readonly<Record<string, readonly MskEventRecord[]>>
}

/**
 * The event's records as the port's LogRecords, in partition then offset order, so a processor
 * sees exactly what a Kafka consumer of those partitions would have polled.
 */
export function toLogRecords(event: MskEvent, topic: string): LogRecord[] {
  const records = Object.values(event.records)
    .flat()
    .filter((record) => record.topic === topic)
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  return records.map((record) => ({
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: record.timestamp,
    key: record.key === undefined ? null : Buffer.from(record.key, 'base64').toString('utf8'),
    value: record.value === undefined || record.value === null ? null : Buffer.from(record.value, 'base64'),
    headers: toHeaders(record.headers ?? []),
  }))
}

function toHeaders(headers: readonly Readonly<Record<string, readonly number[]>>[]): Record<string, string> {
  const result: Record<string, string> = {}
  for (const header of headers) {
    for (const [name, bytes] of Object.entries(header)) result[name] = Buffer.from(bytes).toString('utf8')
  }
  return result
}
