import type { IHeaders, KafkaMessage, Message } from 'kafkajs'
import type { LogRecord, ProduceRecord, RecordHeaders } from '../port.js'

export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    timestamp: Number(message.timestamp),
    headers: fromKafkaHeaders(message.headers),
  }
}

/** The partition is always explicit: the caller has already chosen it, to map offsets back. */
export function toKafkaMessage(record: ProduceRecord, partition: number): Message {
  const message: Message = { key: record.key, value: record.value, partition }
  if (record.timestamp !== undefined) message.timestamp = String(record.timestamp)
  if (record.headers !== undefined) message.headers = { ...record.headers }
  return message
}

/** Kafka allows a header to repeat; the port has one value per name, so the last one wins. */
function fromKafkaHeaders(headers: IHeaders | undefined): RecordHeaders {
  const result: Record<string, string> = {}
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw
    if (value !== undefined) result[name] = Buffer.isBuffer(value) ? value.toString('utf8') : value
  }
  return result
}
