import Database from 'better-sqlite3'
import type { TopicSpec } from '../../../topologies/topics.js'
import { LogError } from '../errors.js'
import { partitionForKey } from '../partitioner.js'
import type {
  GroupCommit,
  LogRecord,
  ProduceRecord,
  RecordHeaders,
  RecordMetadata,
  TopicBatch,
  TopicPartitionOffset,
} from '../port.js'
import { isCompacted, numericConfig } from '../topic-configs.js'
import { createPartitionTable, MAX_PARTITIONS, PartitionStatements } from './partition-tables.js'
import { applySchema } from './schema.js'

export interface TopicRow {
  readonly id: number
  readonly name: string
  readonly partitions: number
  readonly configs: Readonly<Record<string, string>>
}

/** Rows per multi-row INSERT: one call into SQLite per chunk instead of per record. */
const INSERT_CHUNK = 50

export interface PartitionStats {
  readonly partition: number
  readonly startOffset: number
  readonly endOffset: number
  readonly records: number
  readonly distinctKeys: number
}

const NO_HEADERS: RecordHeaders = Object.freeze({})

type RecordRow = [number, number, string | null, Buffer | null, string | null]

function prepareRecordStatements(db: Database.Database, table: string) {
  return {
    insertOne: db.prepare(`INSERT INTO ${table} (id, ts, key, value, headers) VALUES (?, ?, ?, ?, ?)`),
    insertChunk: db.prepare(
      `INSERT INTO ${table} (id, ts, key, value, headers) VALUES ${Array(INSERT_CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`,
    ),
    fetch: db
      .prepare<[number, number], RecordRow>(`SELECT id, ts, key, value, headers FROM ${table} WHERE id >= ? ORDER BY id LIMIT ?`)
      .raw(),
    firstOffset: db.prepare<[], number | null>(`SELECT MIN(id) FROM ${table}`).pluck(),
    firstOffsetAtTime: db
      .prepare<[number, number], number | null>(`SELECT id FROM ${table} WHERE id >= ? AND ts >= ? ORDER BY id LIMIT 1`)
      .pluck(),
    stats: db.prepare<[], { records: number; keys: number; start: number | null }>(
      `SELECT COUNT(*) AS records, COUNT(DISTINCT key) AS keys, MIN(id) AS start FROM ${table}`,
    ),
  }
}

/**
 * The synchronous SQLite side of the embedded log: one connection, prepared statements, and the
 * transactions that make appends atomic across processes. Everything async lives in EmbeddedLog.
 */
export class LogStore {
  private readonly topics = new Map<string, TopicRow>()
  private readonly roundRobin = new Map<number, number>()
  private readonly statements
  private readonly partitionStatements: PartitionStatements<ReturnType<typeof prepareRecordStatements>>

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {
    applySchema(db)
    this.statements = {
      topicByName: db.prepare<[string], { id: number; name: string; partitions: number; configs: string }>(
        'SELECT id, name, partitions, configs FROM topics WHERE name = ?',
      ),
      topicNames: db.prepare<[], { name: string }>('SELECT name FROM topics ORDER BY name').pluck(),
      insertTopic: db.prepare('INSERT INTO topics (name, partitions, configs, created_ts) VALUES (?, ?, ?, ?)'),
      insertPartition: db.prepare('INSERT INTO partitions (topic_id, partition) VALUES (?, ?)'),
      nextOffsets: db.prepare<[number], { partition: number; next_offset: number }>(
        'SELECT partition, next_offset FROM partitions WHERE topic_id = ? ORDER BY partition',
      ),
      nextOffset: db.prepare<[number, number], number>(
        'SELECT next_offset FROM partitions WHERE topic_id = ? AND partition = ?',
      ),
      setNextOffset: db.prepare('UPDATE partitions SET next_offset = ? WHERE topic_id = ? AND partition = ?'),
      indexSecond: db.prepare(
        'INSERT OR IGNORE INTO time_index (topic_id, partition, second, first_offset) VALUES (?, ?, ?, ?)',
      ),
      firstSecondOffset: db
        .prepare<[number, number, number], number | null>(
          'SELECT MIN(first_offset) FROM time_index WHERE topic_id = ? AND partition = ? AND second >= ?',
        )
        .pluck(),
      committed: db.prepare<[string, number, number], number>(
        'SELECT offset FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?',
      ),
      commit: db.prepare(
        'INSERT INTO group_offsets (group_id, topic_id, partition, offset) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (group_id, topic_id, partition) DO UPDATE SET offset = excluded.offset',
      ),
    }
    this.statements.nextOffset.pluck()
    this.statements.committed.pluck()
    this.partitionStatements = new PartitionStatements((table) => prepareRecordStatements(db, table))
  }

  static open(path: string): LogStore {
    const db = new Database(path)
    try {
      return new LogStore(path, db)
    } catch (error) {
      db.close()
      throw error
    }
  }

  get connection(): Database.Database {
    return this.db
  }

  /** Changes whenever another connection commits: the cheap cross-process wake-up check. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number
  }

  topic(name: string): TopicRow {
    const cached = this.topics.get(name)
    if (cached) return cached
    const row = this.statements.topicByName.get(name)
    if (!row) {
      throw new LogError('RISKCTL_TOPIC_NOT_FOUND', `Topic ${name} does not exist in this data directory yet.`, {
        suggestions: ['riskctl topics create'],
      })
    }
    const topic: TopicRow = {
      id: row.id,
      name: row.name,
      partitions: row.partitions,
      configs: Object.freeze(JSON.parse(row.configs) as Record<string, string>),
    }
    this.topics.set(name, topic)
    return topic
  }

  topicNames(): string[] {
    return this.statements.topicNames.all() as unknown as string[]
  }

  createTopics(specs: readonly TopicSpec[]): { created: string[]; existing: string[] } {
    const created: string[] = []
    const existing: string[] = []
    this.db
      .transaction(() => {
        for (const spec of specs) {
          if (this.statements.topicByName.get(spec.name)) {
            existing.push(spec.name)
            continue
          }
          if (spec.partitions < 1 || spec.partitions > MAX_PARTITIONS) {
            throw new LogError(
              'RISKCTL_PARTITION_INVALID',
              `Topic ${spec.name} asks for ${spec.partitions} partitions; the embedded log holds 1 to ${MAX_PARTITIONS} per topic.`,
            )
          }
          const result = this.statements.insertTopic.run(spec.name, spec.partitions, JSON.stringify(spec.configs), Date.now())
          const topicId = Number(result.lastInsertRowid)
          for (let partition = 0; partition < spec.partitions; partition += 1) {
            this.statements.insertPartition.run(topicId, partition)
            createPartitionTable(this.db, topicId, partition)
          }
          created.push(spec.name)
        }
      })
      .immediate()
    return { created, existing }
  }

  /**
   * Appends every batch and commits the group's positions in one transaction: all of it is
   * durable, or none of it is. This is what makes a processor's outputs and its progress agree.
   */
  write(batches: readonly TopicBatch[], commit?: GroupCommit): RecordMetadata[] {
    const prepared = batches.map((batch) => ({ topic: this.topic(batch.topic), records: batch.records }))
    for (const { topic, records } of prepared) this.validate(topic, records)
    return this.db
      .transaction(() => {
        // Read under the write lock: appends get their times in the order they get their offsets.
        const now = Date.now()
        const metadata: RecordMetadata[] = []
        for (const { topic, records } of prepared) this.appendInTransaction(topic, records, now, metadata)
        if (commit) this.commitInTransaction(commit.groupId, commit.offsets)
        return metadata
      })
      .immediate()
  }

  private validate(topic: TopicRow, records: readonly ProduceRecord[]): void {
    const compacted = isCompacted(topic.configs)
    const maxBytes = numericConfig(topic.configs, 'max.message.bytes')
    for (const record of records) {
      if (compacted && record.key === null) {
        throw new LogError('RISKCTL_RECORD_INVALID', `Topic ${topic.name} is compacted: every record needs a key.`)
      }
      if (record.value !== null && record.value.length > maxBytes) {
        throw new LogError(
          'RISKCTL_RECORD_INVALID',
          `A record of ${record.value.length} bytes is larger than ${topic.name}'s max.message.bytes (${maxBytes}).`,
        )
      }
      if (record.partition !== undefined && !(Number.isInteger(record.partition) && record.partition >= 0 && record.partition < topic.partitions)) {
        throw new LogError(
          'RISKCTL_PARTITION_INVALID',
          `Partition ${record.partition} does not exist in ${topic.name}; valid partitions are 0 to ${topic.partitions - 1}.`,
        )
      }
    }
  }

  private appendInTransaction(
    topic: TopicRow,
    records: readonly ProduceRecord[],
    now: number,
    metadata: RecordMetadata[],
  ): void {
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
      if (chunk.length === INSERT_CHUNK * 5) {
        this.partitionStatements.for(topic.id, partition).insertChunk.run(chunk)
        chunk.length = 0
      }
      metadata.push({ topic: topic.name, partition, offset })
    }
    for (const partition of touched) {
      const chunk = chunks[partition]!
      const { insertOne } = this.partitionStatements.for(topic.id, partition)
      for (let i = 0; i < chunk.length; i += 5) insertOne.run(chunk.slice(i, i + 5))
      this.statements.setNextOffset.run(next[partition], topic.id, partition)
    }
  }

  private choosePartition(topic: TopicRow, key: string | null): number {
    if (key !== null) return partitionForKey(key, topic.partitions)
    const turn = this.roundRobin.get(topic.id) ?? 0
    this.roundRobin.set(topic.id, turn + 1)
    return turn % topic.partitions
  }

  commit(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    this.db.transaction(() => this.commitInTransaction(groupId, offsets)).immediate()
  }

  private commitInTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    for (const entry of offsets) {
      this.statements.commit.run(groupId, this.topic(entry.topic).id, entry.partition, entry.offset)
    }
  }

  committed(groupId: string, topic: TopicRow, partition: number): number | undefined {
    return this.statements.committed.get(groupId, topic.id, partition) as number | undefined
  }

  /** Runs `read` on one consistent snapshot of the log. */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read).deferred()
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
    const first = this.partitionStatements.for(topic.id, partition).firstOffset.get() as number | null | undefined
    return first === null || first === undefined ? this.endOffset(topic, partition) : first
  }

  /**
   * Kafka's offsetsForTimes: the first offset whose timestamp is at or after `timestamp`, else the
   * end. The time index narrows the search to the first second that can hold it.
   */
  offsetForTimestamp(topic: TopicRow, partition: number, timestamp: number): number {
    const from = this.statements.firstSecondOffset.get(topic.id, partition, Math.floor(timestamp / 1000)) as
      | number
      | null
      | undefined
    if (from === null || from === undefined) return this.endOffset(topic, partition)
    const offset = this.partitionStatements.for(topic.id, partition).firstOffsetAtTime.get(from, timestamp) as
      | number
      | null
      | undefined
    return offset === null || offset === undefined ? this.endOffset(topic, partition) : offset
  }

  partitionStats(topic: TopicRow): PartitionStats[] {
    return this.snapshot(() =>
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
  }

  close(): void {
    this.db.close()
  }
}
