import type { EventLog, LogRecord, StartPosition, TopicPartitionOffset } from '../log/port.js'
import { decodeValue } from './decode-value.js'
import { requireTopic } from './topic-name.js'

export interface TailOptions {
  readonly topics: readonly string[]
  readonly from: StartPosition
  /** Keep waiting for new records; otherwise stop at the end offsets seen when the tail started. */
  readonly follow: boolean
  readonly max?: number | undefined
  readonly key?: string | undefined
  readonly signal?: AbortSignal | undefined
}

/** The JSON-lines shape of `tail --format json`. */
export interface TailRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly timestamp: number
  readonly value: unknown
}

export async function* tailTopics(log: EventLog, options: TailOptions): AsyncGenerator<TailRecord> {
  const topics = options.topics.map((name) => requireTopic(name).name)
  const consumer = await log.consumer({ topics, from: options.from })
  const abort = (): void => void consumer.close()
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    const stopAt = options.follow ? undefined : await consumer.endOffsets()
    let emitted = 0
    while (!options.signal?.aborted && (options.max === undefined || emitted < options.max)) {
      if (stopAt && hasReached(consumer.positions(), stopAt)) return
      const batch = await consumer.poll({ maxRecords: 500, maxWaitMs: 200 })
      for (const record of batch) {
        if (options.key !== undefined && record.key !== options.key) continue
        yield toTailRecord(record)
        emitted += 1
        if (options.max !== undefined && emitted >= options.max) return
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abort)
    await consumer.close()
  }
}

function hasReached(
  positions: readonly TopicPartitionOffset[],
  ends: readonly TopicPartitionOffset[],
): boolean {
  return ends.every((end) => {
    const position = positions.find((p) => p.topic === end.topic && p.partition === end.partition)
    return position !== undefined && position.offset >= end.offset
  })
}

export function toTailRecord(record: LogRecord): TailRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    timestamp: record.timestamp,
    value: decodeValue(record.value),
  }
}
