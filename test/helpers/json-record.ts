import type { ProduceRecord } from '../../src/log/port.js'

/**
 * Any value as a record under any key: how tests and benches write what no riskctl writer would (a record
 * missing fields, a state under a wrong key). riskctl itself writes through the codec's `encode`.
 */
export function jsonRecord(key: string | null, value: unknown, timestamp?: number): ProduceRecord {
  const bytes = Buffer.from(JSON.stringify(value))
  return timestamp === undefined ? { key, value: bytes } : { key, value: bytes, timestamp }
}
