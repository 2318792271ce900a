import type { RecordHeaders } from '../port.js'

/**
 * A partition's records are stored as record batches, as Kafka stores them: one row holds the records of one
 * append to that partition, encoded back to back. One insert and one B-tree cell per batch rather than per
 * record is what lets an append or a read cost little more than copying its bytes.
 *
 * Layout (little-endian), after a one-byte format tag, per record:
 *   u32 offset delta from the row's first offset · f64 timestamp (NaN: the append's time, kept in the row) ·
 *   i32 key length (-1: null) · key UTF-8 · i32 value length (-1: null) · value ·
 *   i32 headers length (-1: none) · headers as JSON UTF-8
 * Offsets only grow within a batch; compaction and retention rewrite a batch without the records they remove, so
 * gaps are allowed and the row's id is always its first remaining offset. A batch is encoded before its append
 * takes the log's write lock, so that what is decided under the lock (offsets, the log's time) lives in the row.
 */
const FORMAT = 1
const FIXED_BYTES = 4 + 8 + 4 + 4 + 4
const NULL_LENGTH = -1

/** Shared by every record without headers, which is most of them: one object, not one per record. */
export const NO_HEADERS: RecordHeaders = Object.freeze({})

/** Stands for a record stamped with the time of its append, which is only known under the write lock. */
export const APPEND_TIME = Number.NaN

/** What the encoder takes: text (an append's key and headers) or bytes (a batch being rewritten). */
export interface EncodableRecord {
  /** Only its distance from the first record's is kept. */
  readonly offset: number
  /** Epoch ms, or APPEND_TIME. */
  readonly timestamp: number
  readonly key: string | Buffer | null
  readonly value: Buffer | null
  readonly headers: string | Buffer | null
}

/** The bytes a record with these parts takes in a batch. */
export function encodedSize(key: string | Buffer | null, value: Buffer | null, headers: string | Buffer | null): number {
  return FIXED_BYTES + byteLength(key) + byteLength(value) + byteLength(headers)
}

function byteLength(part: string | Buffer | null): number {
  if (part === null) return 0
  return typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.length
}

/** Encodes records whose offsets only grow, the first of which becomes the row's id. */
export function encodeBatch(records: readonly EncodableRecord[], bytes: number): Buffer {
  const base = records[0]!.offset
  // Never from Buffer's shared pool: a batch may move to the writer thread, and its memory with it.
  const out = Buffer.allocUnsafeSlow(1 + bytes)
  out[0] = FORMAT
  let at = 1
  for (const record of records) {
    at = out.writeUInt32LE(record.offset - base, at)
    at = out.writeDoubleLE(record.timestamp, at)
    at = writeBytes(out, at, record.key)
    at = writeBytes(out, at, record.value)
    at = writeBytes(out, at, record.headers)
  }
  return out
}

function writeBytes(out: Buffer, at: number, part: string | Buffer | null): number {
  if (part === null) return out.writeInt32LE(NULL_LENGTH, at)
  const length = typeof part === 'string' ? out.write(part, at + 4, 'utf8') : part.copy(out, at + 4)
  out.writeInt32LE(length, at)
  return at + 4 + length
}

/**
 * Walks a batch record by record without decoding what the caller skips: `next()` moves to the following record
 * and reads its offset and timestamp; the key, value and headers are decoded only when asked for.
 */
export class BatchCursor {
  offset = 0
  timestamp = 0
  private at = 1
  private key = 0
  private value = 0
  private headers = 0

  constructor(
    private readonly base: number,
    private readonly appendTs: number,
    private readonly data: Buffer,
  ) {
    if (data[0] !== FORMAT) throw new Error(`record batch format ${String(data[0])} is not ${FORMAT}`)
  }

  /** Moves to the next record; false past the last. */
  next(): boolean {
    const { data } = this
    if (this.at >= data.length) return false
    this.offset = this.base + data.readUInt32LE(this.at)
    const timestamp = data.readDoubleLE(this.at + 4)
    this.timestamp = Number.isNaN(timestamp) ? this.appendTs : timestamp
    this.key = this.at + 12
    this.value = this.skip(this.key)
    this.headers = this.skip(this.value)
    this.at = this.skip(this.headers)
    return true
  }

  readKey(): string | null {
    const length = this.data.readInt32LE(this.key)
    return length === NULL_LENGTH ? null : this.data.toString('utf8', this.key + 4, this.key + 4 + length)
  }

  /** The value's bytes, sharing the batch's memory: records are immutable once appended. */
  readValue(): Buffer | null {
    return this.part(this.value)
  }

  readHeaders(): RecordHeaders {
    const length = this.data.readInt32LE(this.headers)
    if (length === NULL_LENGTH) return NO_HEADERS
    return JSON.parse(this.data.toString('utf8', this.headers + 4, this.headers + 4 + length)) as RecordHeaders
  }

  isTombstone(): boolean {
    return this.data.readInt32LE(this.value) === NULL_LENGTH
  }

  /** The current record as the encoder takes it, its parts as bytes: for rewriting a batch without some records. */
  encodable(): EncodableRecord {
    return {
      offset: this.offset,
      timestamp: this.timestamp,
      key: this.part(this.key),
      value: this.part(this.value),
      headers: this.part(this.headers),
    }
  }

  private part(at: number): Buffer | null {
    const length = this.data.readInt32LE(at)
    return length === NULL_LENGTH ? null : this.data.subarray(at + 4, at + 4 + length)
  }

  private skip(at: number): number {
    return at + 4 + Math.max(0, this.data.readInt32LE(at))
  }
}
