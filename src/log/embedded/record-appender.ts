import type Database from 'better-sqlite3'
import { partitionForKey } from '../partitioner.js'
import type { ProduceRecord, RecordMetadata } from '../port.js'
import { APPEND_TIME, encodeBatch, encodedSize, type EncodableRecord } from './record-batch.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

/**
 * A batch row is closed at this many records or bytes, whichever comes first: a reader that wants the last
 * records of a row reads all of it, so rows stay small enough to read again cheaply.
 */
const MAX_BATCH_RECORDS = 1000
const MAX_BATCH_BYTES = 1024 * 1024

/** One row to be: a partition's records of one append, encoded, waiting for their offsets. */
interface PreparedBatch {
  readonly partition: number
  readonly count: number
  readonly data: Buffer
  /** Each record's timestamp, or APPEND_TIME: what the time index needs once the log's time is known. */
  readonly timestamps: Float64Array
}

/** An append encoded outside the write lock: under it, only offsets and the log's time are still to decide. */
export interface PreparedAppend {
  readonly topic: TopicRow
  readonly batches: readonly PreparedBatch[]
  /** Each record's partition and place in its partition's batches, in input order, for the metadata. */
  readonly placement: Int32Array
}

function prepareInsertStatement(db: Database.Database, table: string) {
  return db.prepare<[number, number, number, number, number, number, Buffer]>(
    `INSERT INTO ${table} (id, last, min_ts, max_ts, append_ts, count, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
}

/** The records of one partition waiting to become a batch. */
class PendingBatch {
  records: EncodableRecord[] = []
  bytes = 0
  /** Records of this partition in earlier, closed batches of the same append. */
  before = 0

  constructor(readonly partition: number) {}

  isFullFor(size: number): boolean {
    return this.records.length >= MAX_BATCH_RECORDS || (this.records.length > 0 && this.bytes + size > MAX_BATCH_BYTES)
  }

  take(): PreparedBatch {
    const { records } = this
    const timestamps = new Float64Array(records.length)
    for (let i = 0; i < records.length; i += 1) timestamps[i] = records[i]!.timestamp
    const batch = { partition: this.partition, count: records.length, data: encodeBatch(records, this.bytes), timestamps }
    this.before += records.length
    this.records = []
    this.bytes = 0
    return batch
  }
}

/** The append path: each record gets its partition, offset and time, and goes into a batch of its partition. */
export class RecordAppender {
  private readonly roundRobin = new Map<number, number>()
  private readonly statements
  private readonly inserts: PartitionStatements<ReturnType<typeof prepareInsertStatement>>

  constructor(db: Database.Database) {
    this.statements = {
      nextOffsets: db.prepare<[number], { partition: number; next_offset: number }>(
        'SELECT partition, next_offset FROM partitions WHERE topic_id = ? ORDER BY partition',
      ),
      setNextOffset: db.prepare('UPDATE partitions SET next_offset = ? WHERE topic_id = ? AND partition = ?'),
      indexSecond: db.prepare(
        'INSERT OR IGNORE INTO time_index (topic_id, partition, second, first_offset) VALUES (?, ?, ?, ?)',
      ),
    }
    this.inserts = new PartitionStatements((table) => prepareInsertStatement(db, table))
  }

  /**
   * Partitions and encodes the records, before the write lock is taken. A record stamped by the log (all of a
   * LogAppendTime topic's, and any without a timestamp) carries APPEND_TIME until the append reads the clock.
   */
  prepare(topic: TopicRow, records: readonly ProduceRecord[]): PreparedAppend {
    const pending: (PendingBatch | undefined)[] = new Array<PendingBatch | undefined>(topic.partitions)
    const batches: PreparedBatch[] = []
    const placement = new Int32Array(records.length * 2)
    // As a broker does: on a LogAppendTime topic the log's clock replaces whatever the producer stamped.
    const appendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime'
    records.forEach((record, i) => {
      const partition = record.partition ?? this.choosePartition(topic, record.key)
      const batch = (pending[partition] ??= new PendingBatch(partition))
      const headers = record.headers && Object.keys(record.headers).length > 0 ? JSON.stringify(record.headers) : null
      const size = encodedSize(record.key, record.value, headers)
      if (batch.isFullFor(size)) batches.push(batch.take())
      placement[i * 2] = partition
      placement[i * 2 + 1] = batch.before + batch.records.length
      batch.records.push({
        offset: batch.records.length,
        timestamp: appendTime ? APPEND_TIME : (record.timestamp ?? APPEND_TIME),
        key: record.key,
        value: record.value,
        headers,
      })
      batch.bytes += size
    })
    for (const batch of pending) if (batch !== undefined && batch.records.length > 0) batches.push(batch.take())
    return { topic, batches, placement }
  }

  /**
   * Under the write lock: reads and advances each partition's next offset, and stores the batches at them, with
   * the log's time `now`. Returns each partition's first offset of this append, for the metadata.
   */
  append({ topic, batches }: Pick<PreparedAppend, 'topic' | 'batches'>, now: number): number[] {
    const next = this.statements.nextOffsets.all(topic.id).map((row) => row.next_offset)
    const first = [...next]
    for (const { partition, count, data, timestamps } of batches) {
      const base = next[partition]!
      let minTs = Number.POSITIVE_INFINITY
      let maxTs = Number.NEGATIVE_INFINITY
      let lastSecond = Number.NaN
      for (let i = 0; i < count; i += 1) {
        const stamped = timestamps[i]!
        const ts = Number.isNaN(stamped) ? now : stamped
        if (ts < minTs) minTs = ts
        if (ts > maxTs) maxTs = ts
        const second = Math.floor(ts / 1000)
        if (second !== lastSecond) {
          // The time index keeps the first offset of each second; repeats are ignored by the table.
          this.statements.indexSecond.run(topic.id, partition, second, base + i)
          lastSecond = second
        }
      }
      this.inserts.for(topic.id, partition).run(base, base + count - 1, minTs, maxTs, now, count, data)
      next[partition] = base + count
    }
    next.forEach((offset, partition) => {
      if (offset !== first[partition]) this.statements.setNextOffset.run(offset, topic.id, partition)
    })
    return first
  }

  private choosePartition(topic: TopicRow, key: string | null): number {
    if (key !== null) return partitionForKey(key, topic.partitions)
    const turn = this.roundRobin.get(topic.id) ?? 0
    this.roundRobin.set(topic.id, turn + 1)
    return turn % topic.partitions
  }
}

/** Each record's partition and offset, in input order, once the append knows where its partitions began. */
export function appendedMetadata(prepared: PreparedAppend, first: readonly number[], metadata: RecordMetadata[]): void {
  const { topic, placement } = prepared
  for (let i = 0; i < placement.length; i += 2) {
    const partition = placement[i]!
    metadata.push({ topic: topic.name, partition, offset: first[partition]! + placement[i + 1]! })
  }
}
