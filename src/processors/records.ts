import type { DeadLetter, KillState } from '../contracts/messages.js'
import { killStateSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'

export function jsonRecord(key: string | null, value: unknown, timestamp?: number): ProduceRecord {
  const bytes = Buffer.from(JSON.stringify(value))
  return timestamp === undefined ? { key, value: bytes } : { key, value: bytes, timestamp }
}

/** A record that failed its contract, with the reason, for dlq.v1: never dropped silently. */
export function deadLetter(record: LogRecord, error: string, now: number): ProduceRecord {
  const letter: DeadLetter = {
    ts: now,
    source_topic: record.topic,
    offset: `${record.partition}:${record.offset}`,
    raw: record.value === null ? '' : record.value.toString('utf8'),
    error,
  }
  // Keyed by source topic, as the topic spec says: a bad producer's letters stay in order.
  return jsonRecord(record.topic, letter, now)
}

export type StateChange =
  | { readonly type: 'state'; readonly state: KillState }
  | { readonly type: 'deleted'; readonly scope: string }
  | { readonly type: 'invalid'; readonly error: string }

/** A record of killswitch.state.v1: a state, a tombstone that deletes its scope, or garbage. */
export function decodeStateRecord(record: LogRecord): StateChange {
  if (record.value === null) {
    return record.key === null ? { type: 'invalid', error: 'tombstone without a key' } : { type: 'deleted', scope: record.key }
  }
  const decoded = decodeJson(killStateSchema, record.value)
  return decoded.ok ? { type: 'state', state: decoded.value } : { type: 'invalid', error: decoded.error }
}
