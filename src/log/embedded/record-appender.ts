import type Database from 'better-sqlite3'
import { partitionForKey } from '../partitioner.js'
import type { ProduceRecord, RecordMetadata } from '../port.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

/** Rows per multi-row INSERT: one call into SQLite per chunk instead of per record. */
const INSERT_CHUNK = 50
/** Values per row: offset, timestamp, key, value, headers. */
const COLUMNS = 5

function prepareInsertStatements(db: Database.Database, table: string) {
  return {
    insertOne: db.prepare(`INSERT INTO ${table} (id, ts, key, value, headers) VALUES (?, ?, ?, ?, ?)`),
    insertChunk: db.prepare(
      `INSERT INTO ${table} (id, ts, key, value, headers) VALUES ${Array(INSERT_CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`,
    ),
  }
}

/** The append path: each record gets its partition, offset and time, and goes into its partition's table. */
export class RecordAppender {
  private readonly roundRobin = new Map<number, number>()
  private readonly statements
  private readonly partitionStatements: PartitionStatements<ReturnType<typeof prepareInsertStatements>>

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
    this.partitionStatements = new PartitionStatements((table) => prepareInsertStatements(db, table))
  }

  /** Inside the write transaction: the next offsets it reads stay this writer's until it commits. */
  append(topic: TopicRow, records: readonly ProduceRecord[], now: number, metadata: RecordMetadata[]): void {
    const next = this.statements.nextOffsets.all(topic.id).map((row) => row.next_offset)
    const touched = new Set<number>()
    // One pending multi-row INSERT per partition, since each partition is its own table.
    const chunks: unknown[][] = Array.from({ length: topic.partitions }, () => [])
    // Per partition: keyed records alternate between partitions, so one "last second" would miss.
    const lastSecond = new Float64Array(topic.partitions).fill(Number.NaN)
    // As a broker does: on a LogAppendTime topic the log's clock replaces whatever the producer stamped.
    const appendTime = topic.configs['message.timestamp.type'] === 'LogAppendTime'
    for (const record of records) {
      const partition = record.partition ?? this.choosePartition(topic, record.key)
      const offset = next[partition]!
      next[partition] = offset + 1
      touched.add(partition)
      const ts = appendTime ? now : (record.timestamp ?? now)
      const second = Math.floor(ts / 1000)
      if (second !== lastSecond[partition]) {
        // The time index keeps the first offset of each second; repeats are ignored by the table.
        this.statements.indexSecond.run(topic.id, partition, second, offset)
        lastSecond[partition] = second
      }
      const chunk = chunks[partition]!
      chunk.push(
        offset,
        ts,
        record.key,
        record.value,
        record.headers && Object.keys(record.headers).length > 0 ? JSON.stringify(record.headers) : null,
      )
      if (chunk.length === INSERT_CHUNK * COLUMNS) {
        this.partitionStatements.for(topic.id, partition).insertChunk.run(chunk)
        chunk.length = 0
      }
      metadata.push({ topic: topic.name, partition, offset })
    }
    for (const partition of touched) {
      const chunk = chunks[partition]!
      const { insertOne } = this.partitionStatements.for(topic.id, partition)
      for (let i = 0; i < chunk.length; i += COLUMNS) insertOne.run(chunk.slice(i, i + COLUMNS))
      this.statements.setNextOffset.run(next[partition], topic.id, partition)
    }
  }

  private choosePartition(topic: TopicRow, key: string | null): number {
    if (key !== null) return partitionForKey(key, topic.partitions)
    const turn = this.roundRobin.get(topic.id) ?? 0
    this.roundRobin.set(topic.id, turn + 1)
    return turn % topic.partitions
  }
}
