import type Database from 'better-sqlite3'
import { partitionForKey } from '../partitioner.js'
import type { ProduceRecord, RecordMetadata } from '../port.js'
import { encodeBatch, encodedSize, type EncodableRecord } from './record-batch.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

/**
 * A batch row is closed at this many records or bytes, whichever comes first: a reader that wants the last
 * records of a row reads all of it, so rows stay small enough to read again cheaply.
 */
const MAX_BATCH_RECORDS = 1000
const MAX_BATCH_BYTES = 1024 * 1024

function prepareInsertStatements(db: Database.Database, table: string) {
  return db.prepare(`INSERT INTO ${table} (id, last, min_ts, max_ts, count, data) VALUES (?, ?, ?, ?, ?, ?)`)
}

/** The records of one partition waiting to become a batch row. */
class PendingBatch {
  readonly records: EncodableRecord[] = []
  bytes = 0
  minTs = Number.POSITIVE_INFINITY
  maxTs = Number.NEGATIVE_INFINITY

  /** Whether `size` more bytes would overfill it: then it is written first. */
  isFullFor(size: number): boolean {
    return this.records.length >= MAX_BATCH_RECORDS || (this.records.length > 0 && this.bytes + size > MAX_BATCH_BYTES)
  }

  add(record: EncodableRecord, size: number): void {
    this.records.push(record)
    this.bytes += size
    if (record.timestamp < this.minTs) this.minTs = record.timestamp
    if (record.timestamp > this.maxTs) this.maxTs = record.timestamp
  }

  /** The row's values, and empties it. */
  take(): [number, number, number, number, number, Buffer] {
    const { records } = this
    const row: [number, number, number, number, number, Buffer] = [
      records[0]!.offset,
      records.at(-1)!.offset,
      this.minTs,
      this.maxTs,
      records.length,
      encodeBatch(records, this.bytes),
    ]
    records.length = 0
    this.bytes = 0
    this.minTs = Number.POSITIVE_INFINITY
    this.maxTs = Number.NEGATIVE_INFINITY
    return row
  }
}

/** The append path: each record gets its partition, offset and time, and goes into a batch of its partition. */
export class RecordAppender {
  private readonly roundRobin = new Map<number, number>()
  private readonly statements
  private readonly inserts: PartitionStatements<Database.Statement>

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
    this.inserts = new PartitionStatements((table) => prepareInsertStatements(db, table))
  }

  /** Inside the write transaction: the next offsets it reads stay this writer's until it commits. */
  append(topic: TopicRow, records: readonly ProduceRecord[], now: number, metadata: RecordMetadata[]): void {
    const next = this.statements.nextOffsets.all(topic.id).map((row) => row.next_offset)
    const pending: (PendingBatch | undefined)[] = new Array<PendingBatch | undefined>(topic.partitions)
    // Per partition: keyed records alternate between partitions, so one "last second" would miss.
    const lastSecond = new Float64Array(topic.partitions).fill(Number.NaN)
    // As a broker does: on a LogAppendTime topic the log's clock replaces whatever the producer stamped.
    const appendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime'
    for (const record of records) {
      const partition = record.partition ?? this.choosePartition(topic, record.key)
      const offset = next[partition]!
      next[partition] = offset + 1
      const ts = appendTime ? now : (record.timestamp ?? now)
      const second = Math.floor(ts / 1000)
      if (second !== lastSecond[partition]) {
        // The time index keeps the first offset of each second; repeats are ignored by the table.
        this.statements.indexSecond.run(topic.id, partition, second, offset)
        lastSecond[partition] = second
      }
      const encodable: EncodableRecord = {
        offset,
        timestamp: ts,
        key: record.key,
        value: record.value,
        headers: record.headers && Object.keys(record.headers).length > 0 ? JSON.stringify(record.headers) : null,
      }
      const size = encodedSize(encodable)
      const batch = (pending[partition] ??= new PendingBatch())
      if (batch.isFullFor(size)) this.inserts.for(topic.id, partition).run(batch.take())
      batch.add(encodable, size)
      metadata.push({ topic: topic.name, partition, offset })
    }
    pending.forEach((batch, partition) => {
      if (batch === undefined) return
      this.inserts.for(topic.id, partition).run(batch.take())
      this.statements.setNextOffset.run(next[partition], topic.id, partition)
    })
  }

  private choosePartition(topic: TopicRow, key: string | null): number {
    if (key !== null) return partitionForKey(key, topic.partitions)
    const turn = this.roundRobin.get(topic.id) ?? 0
    this.roundRobin.set(topic.id, turn + 1)
    return turn % topic.partitions
  }
}
