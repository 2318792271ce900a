import { decodeOrder } from '../contracts/decode.js'
import type { DetectorOrder } from '../domain/detector.js'

/** The parts of a log record the detector reads: its value and the time the log appended it. */
export interface AppendedRecord {
  readonly value: Buffer | string | null
  readonly timestamp: number
}

/**
 * An orders.v1 record as the detector judges it, or undefined for one the router dead-letters. Event time is
 * the log's append time, not the order's own ts: a client clock minutes off either way, or one wild timestamp,
 * must neither hide an account from its window nor blind the detector to everyone else (ADR 0007). The
 * identifiers are the canonical ones the kill scopes use.
 */
export function detectorOrderOf(record: AppendedRecord): DetectorOrder | undefined {
  const decoded = decodeOrder(record.value)
  if (!decoded.ok) return undefined
  const { account_id, symbol, qty, price } = decoded.value
  return { ts: record.timestamp, account_id, symbol, qty, price }
}
