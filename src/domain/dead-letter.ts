/** A record that failed its contract, with the reason: dlq.v1 keeps it instead of losing it. */
export interface DeadLetter {
  readonly ts: number
  readonly source_topic: string
  /** partition:offset of the record. */
  readonly offset: string
  /** The record as it was, or its first bytes when raw_truncated. */
  readonly raw: string
  readonly error: string
  /** The size of the whole record, and whether raw holds only its start. */
  readonly raw_bytes?: number | undefined
  readonly raw_truncated?: boolean | undefined
}
