import type Database from 'better-sqlite3'
import type { LogRecord, RecordHeaders } from '../port.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

export interface PartitionStats {
  readonly partition: number
  readonly startOffset: number
  readonly endOffset: number
  readonly records: number
  readonly distinctKeys: number
}

/** Shared by every record without headers, which is most of them: one object, not one per record. */
const NO_HEADERS: RecordHeaders = Object.freeze({})

type RecordRow = [number, number, string | null, Buffer | null, string | null]

function prepareReadStatements(db: Database.Database, table: string) {
  return {
    fetch: db
      .prepare<[number, number], RecordRow>(
        `SELECT id, ts, key, value, headers FROM ${table} WHERE id >= ? ORDER BY id LIMIT ?`,
      )
      .raw(),
    firstOffset: db.prepare<[], number | null>(`SELECT MIN(id) FROM ${table}`).pluck(),
    firstOffsetAtTime: db
      .prepare<[number, number], number | null>(
        `SELECT id FROM ${table} WHERE id >= ? AND ts >= ? ORDER BY id LIMIT 1`,
      )
      .pluck(),
    stats: db.prepare<[], { records: number; keys: number; start: number | null }>(
      `SELECT COUNT(*) AS records, COUNT(DISTINCT key) AS keys, MIN(id) AS start FROM ${table}`,
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

  fetch(topic: TopicRow, partition: number, fromOffset: number, limit: number): LogRecord[] {
    const rows = this.partitionStatements.for(topic.id, partition).fetch.all(fromOffset, limit)
    const records: LogRecord[] = new Array<LogRecord>(rows.length)
    for (let i = 0; i < rows.length; i += 1) {
      const [offset, ts, key, value, headers] = rows[i]!
      records[i] = {
        topic: topic.name,
        partition,
        offset,
        key,
        value,
        timestamp: ts,
        headers: headers === null ? NO_HEADERS : (JSON.parse(headers) as RecordHeaders),
      }
    }
    return records
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
    const offset = this.partitionStatements
      .for(topic.id, partition)
      .firstOffsetAtTime.get(from, timestamp) as number | null | undefined
    return offset === null || offset === undefined ? this.endOffset(topic, partition) : offset
  }

  partitionStats(topic: TopicRow): PartitionStats[] {
    // One snapshot, so that every partition's counts and offsets are of the same moment.
    return this.db
      .transaction(() =>
        Array.from({ length: topic.partitions }, (_, partition) => {
          const stats = this.partitionStatements.for(topic.id, partition).stats.get()!
          const endOffset = this.endOffset(topic, partition)
          return {
            partition,
            startOffset: stats.start === null ? endOffset : stats.start,
            endOffset,
            records: stats.records,
            distinctKeys: stats.keys,
          }
        }),
      )
      .deferred()
  }
}
