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
import { applySchema } from './schema.js'

export interface TopicRow {
  readonly id: number
  readonly name: string
  readonly partitions: number
  readonly configs: Readonly<Record<string, string>>
}

interface RecordRow {
  offset: number
  ts: number
  key: string | null
  value: Buffer | null
  headers: string | null
}

export interface PartitionStats {
  readonly partition: number
  readonly startOffset: number
  readonly endOffset: number
  readonly records: number
  readonly distinctKeys: number
}

const NO_HEADERS: RecordHeaders = Object.freeze({})

/**
 * The synchronous SQLite side of the embedded log: one connection, prepared statements, and the
 * transactions that make appends atomic across processes. Everything async lives in EmbeddedLog.
 */
export class LogStore {
  private readonly topics = new Map<string, TopicRow>()
  private readonly roundRobin = new Map<number, number>()
  private readonly statements

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
      insertRecord: db.prepare(
        'INSERT INTO records (topic_id, partition, offset, ts, key, value, headers) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      fetch: db.prepare<[number, number, number, number], RecordRow>(
        'SELECT offset, ts, key, value, headers FROM records WHERE topic_id = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      startOffset: db.prepare<[number, number], number | null>(
        'SELECT MIN(offset) FROM records WHERE topic_id = ? AND partition = ?',
      ),
      offsetForTime: db.prepare<[number, number, number], number | null>(
        'SELECT MIN(offset) FROM records WHERE topic_id = ? AND partition = ? AND ts >= ?',
      ),
      stats: db.prepare<[number, number], { records: number; keys: number; start: number | null }>(
        'SELECT COUNT(*) AS records, COUNT(DISTINCT key) AS keys, MIN(offset) AS start FROM records WHERE topic_id = ? AND partition = ?',
      ),
      committed: db.prepare<[string, number, number], number>(
        'SELECT offset FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?',
      ),
      commit: db.prepare(
        'INSERT INTO group_offsets (group_id, topic_id, partition, offset) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (group_id, topic_id, partition) DO UPDATE SET offset = excluded.offset',
      ),
    }
    this.statements.nextOffset.pluck()
    this.statements.startOffset.pluck()
    this.statements.offsetForTime.pluck()
    this.statements.committed.pluck()
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
          const result = this.statements.insertTopic.run(spec.name, spec.partitions, JSON.stringify(spec.configs), Date.now())
          for (let partition = 0; partition < spec.partitions; partition += 1) {
            this.statements.insertPartition.run(result.lastInsertRowid, partition)
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
    const now = Date.now()
    return this.db
      .transaction(() => {
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
    for (const record of records) {
      const partition = record.partition ?? this.choosePartition(topic, record.key)
      const offset = next[partition]!
      next[partition] = offset + 1
      touched.add(partition)
      this.statements.insertRecord.run(
        topic.id,
        partition,
        offset,
        record.timestamp ?? now,
        record.key,
        record.value,
        record.headers && Object.keys(record.headers).length > 0 ? JSON.stringify(record.headers) : null,
      )
      metadata.push({ topic: topic.name, partition, offset })
    }
    for (const partition of touched) this.statements.setNextOffset.run(next[partition], topic.id, partition)
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
    const rows = this.statements.fetch.all(topic.id, partition, fromOffset, limit)
    return rows.map((row) => ({
      topic: topic.name,
      partition,
      offset: row.offset,
      key: row.key,
      value: row.value,
      timestamp: row.ts,
      headers: row.headers === null ? NO_HEADERS : (JSON.parse(row.headers) as RecordHeaders),
    }))
  }

  endOffset(topic: TopicRow, partition: number): number {
    return (this.statements.nextOffset.get(topic.id, partition) as number | undefined) ?? 0
  }

  startOffset(topic: TopicRow, partition: number): number {
    const start = this.statements.startOffset.get(topic.id, partition) as number | null | undefined
    return start ?? this.endOffset(topic, partition)
  }

  /** Kafka's offsetsForTimes: the first offset whose timestamp is at or after `timestamp`, else the end. */
  offsetForTimestamp(topic: TopicRow, partition: number, timestamp: number): number {
    const offset = this.statements.offsetForTime.get(topic.id, partition, timestamp) as number | null | undefined
    return offset ?? this.endOffset(topic, partition)
  }

  partitionStats(topic: TopicRow): PartitionStats[] {
    return this.snapshot(() =>
      Array.from({ length: topic.partitions }, (_, partition) => {
        const stats = this.statements.stats.get(topic.id, partition)!
        const endOffset = this.endOffset(topic, partition)
        return {
          partition,
          startOffset: stats.start ?? endOffset,
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
