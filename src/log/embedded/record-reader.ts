import type Database from 'better-sqlite3'
import type { LogRecord } from '../port.js'
import { BatchCursor } from './record-batch.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

export interface PartitionStats {
  readonly partition: number
  readonly startOffset: number
  readonly endOffset: number
  readonly records: number
  readonly distinctKeys: number
}

type BatchRow = [number, number, Buffer]

/** Batches from the one holding `from` (or the first after it) on, in offset order. */
const FROM_BATCH = 'id >= COALESCE((SELECT MAX(id) FROM {table} WHERE id <= @from), 0)'

function prepareReadStatements(db: Database.Database, table: string) {
  const fromBatch = FROM_BATCH.replace('{table}', table)
  return {
    batches: db.prepare<{ from: number }, BatchRow>(`SELECT id, append_ts, data FROM ${table} WHERE ${fromBatch} ORDER BY id`).raw(),
    batchesUntil: db
      .prepare<{ from: number; ts: number }, BatchRow>(
        `SELECT id, append_ts, data FROM ${table} WHERE ${fromBatch} AND max_ts >= @ts ORDER BY id`,
      )
      .raw(),
    allBatches: db.prepare<[], BatchRow>(`SELECT id, append_ts, data FROM ${table} ORDER BY id`).raw(),
    firstOffset: db.prepare<[], number | null>(`SELECT MIN(id) FROM ${table}`).pluck(),
    counts: db.prepare<[], { records: number; start: number | null }>(
      `SELECT COALESCE(SUM(count), 0) AS records, MIN(id) AS start FROM ${table}`,
    ),
  }
}

/** The read path: records by offset, each partition's offsets, and what describe-topic counts. */
export class RecordReader {
  private readonly statements
  private readonly partitionStatements: PartitionStatements<ReturnType<typeof prepareReadStatements>>

  constructor(private readonly db: Database.Database) {
    this.statements = {
      nextOffset: db
        .prepare<[number, number], number>(
          'SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = ?',
        )
        .pluck(),
      firstSecondOffset: db
        .prepare<[number, number, number], number | null>(
          'SELECT MIN(first_offset) FROM time_index WHERE topic_id = ? AND partition = ? AND second >= ?',
        )
        .pluck(),
    }
    this.partitionStatements = new PartitionStatements((table) => prepareReadStatements(db, table))
  }

  /** Up to `limit` records from `fromOffset` on. */
  fetch(topic: TopicRow, partition: number, fromOffset: number, limit: number): LogRecord[] {
    const records: LogRecord[] = []
    if (limit <= 0) return records
    for (const [id, appendTs, data] of this.partitionStatements.for(topic.id, partition).batches.iterate({ from: fromOffset })) {
      const cursor = new BatchCursor(id, appendTs, data)
      while (cursor.next()) {
        if (cursor.offset < fromOffset) continue
        records.push({
          topic: topic.name,
          partition,
          offset: cursor.offset,
          key: cursor.readKey(),
          value: cursor.readValue(),
          timestamp: cursor.timestamp,
          headers: cursor.readHeaders(),
        })
        if (records.length >= limit) return records
      }
    }
    return records
  }

  /** Every record's key, offset and whether it is a tombstone, in offset order: what compaction needs. */
  forEachKey(topic: TopicRow, partition: number, visit: (key: string | null, offset: number) => void): void {
    for (const [id, appendTs, data] of this.partitionStatements.for(topic.id, partition).allBatches.iterate()) {
      const cursor = new BatchCursor(id, appendTs, data)
      while (cursor.next()) visit(cursor.readKey(), cursor.offset)
    }
  }

  endOffset(topic: TopicRow, partition: number): number {
    return (this.statements.nextOffset.get(topic.id, partition) as number | undefined) ?? 0
  }

  startOffset(topic: TopicRow, partition: number): number {
    const first = this.partitionStatements.for(topic.id, partition).firstOffset.get() as
      number | null | undefined
    return first === null || first === undefined ? this.endOffset(topic, partition) : first
  }

  /**
   * Kafka's offsetsForTimes: the first offset whose timestamp is at or after `timestamp`, else the
   * end. The time index narrows the search to the first second that can hold it.
   */
  offsetForTimestamp(topic: TopicRow, partition: number, timestamp: number): number {
    const from = this.statements.firstSecondOffset.get(topic.id, partition, Math.floor(timestamp / 1000)) as
      number | null | undefined
    if (from === null || from === undefined) return this.endOffset(topic, partition)
    for (const [id, appendTs, data] of this.partitionStatements.for(topic.id, partition).batchesUntil.iterate({ from, ts: timestamp })) {
      const cursor = new BatchCursor(id, appendTs, data)
      while (cursor.next()) if (cursor.offset >= from && cursor.timestamp >= timestamp) return cursor.offset
    }
    return this.endOffset(topic, partition)
  }

  partitionStats(topic: TopicRow): PartitionStats[] {
    // One snapshot, so that every partition's counts and offsets are of the same moment.
    return this.db
      .transaction(() =>
        Array.from({ length: topic.partitions }, (_, partition) => {
          const counts = this.partitionStatements.for(topic.id, partition).counts.get()!
          const endOffset = this.endOffset(topic, partition)
          const keys = new Set<string | null>()
          this.forEachKey(topic, partition, (key) => keys.add(key))
          // As SQL's COUNT(DISTINCT key): records without a key are not a key.
          keys.delete(null)
          return {
            partition,
            startOffset: counts.start === null ? endOffset : counts.start,
            endOffset,
            records: counts.records,
            distinctKeys: keys.size,
          }
        }),
      )
      .deferred()
  }
}
