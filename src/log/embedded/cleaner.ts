import type Database from 'better-sqlite3'
import { isCompacted, numericConfig } from '../topic-configs.js'
import { PartitionStatements } from './partition-tables.js'
import type { TopicRow } from './topic-catalogue.js'

/**
 * The log cleaner, as Kafka's works, on one partition at a time:
 * - delete topics lose records older than retention.ms;
 * - compacted topics keep only the newest record per key. Records younger than segment.ms are
 *   the "active segment" and are never cleaned; cleaning starts only once the dirty part (records
 *   since the last pass) is at least min.cleanable.dirty.ratio of the cleanable log; tombstones
 *   go once they are older than delete.retention.ms. Offsets keep their gaps.
 */
function prepareCleaningStatements(db: Database.Database, table: string) {
  return {
    // The newest record old enough to leave the active segment; records after it stay as they are.
    lastSettledOffset: db
      .prepare<[number], number | null>(`SELECT id FROM ${table} WHERE ts <= ? ORDER BY id DESC LIMIT 1`)
      .pluck(),
    counts: db.prepare<[number, number], { total: number; dirty: number }>(
      `SELECT COUNT(*) AS total, COALESCE(SUM(id >= ?), 0) AS dirty FROM ${table} WHERE id < ?`,
    ),
    deleteSuperseded: db.prepare(
      `DELETE FROM ${table} WHERE id < @head AND id NOT IN (SELECT MAX(id) FROM ${table} GROUP BY key)`,
    ),
    deleteTombstones: db.prepare(`DELETE FROM ${table} WHERE id < ? AND value IS NULL AND ts < ?`),
    deleteBefore: db.prepare(`DELETE FROM ${table} WHERE id < ?`),
  }
}

export class LogCleaner {
  private readonly statements
  private readonly partitionStatements: PartitionStatements<ReturnType<typeof prepareCleaningStatements>>

  constructor(private readonly db: Database.Database) {
    this.partitionStatements = new PartitionStatements((table) => prepareCleaningStatements(db, table))
    this.statements = {
      positions: db.prepare<[number, number], { cleaned_offset: number; next_offset: number }>(
        'SELECT cleaned_offset, next_offset FROM partitions WHERE topic_id = ? AND partition = ?',
      ),
      setCleaned: db.prepare('UPDATE partitions SET cleaned_offset = ? WHERE topic_id = ? AND partition = ?'),
      // Like Kafka deleting whole segments: everything before the first second still retained goes.
      firstRetainedOffset: db
        .prepare<[number, number, number], number | null>(
          'SELECT MIN(first_offset) FROM time_index WHERE topic_id = ? AND partition = ? AND second >= ?',
        )
        .pluck(),
      deleteSeconds: db.prepare('DELETE FROM time_index WHERE topic_id = ? AND partition = ? AND second < ?'),
    }
  }

  /** Cleans every partition of `topic`; returns how many records it removed. */
  clean(topic: TopicRow, now: number): number {
    return this.db
      .transaction(() => {
        let removed = 0
        for (let partition = 0; partition < topic.partitions; partition += 1) {
          removed += isCompacted(topic.configs) ? this.compact(topic, partition, now) : 0
          removed += this.expire(topic, partition, now)
        }
        return removed
      })
      .immediate()
  }

  /** How long to wait between passes on this topic, so cleaning costs little on a busy log. */
  static intervalMs(topic: TopicRow): number {
    return isCompacted(topic.configs) ? Math.max(numericConfig(topic.configs, 'segment.ms'), 50) : 60_000
  }

  private compact(topic: TopicRow, partition: number, now: number): number {
    const positions = this.statements.positions.get(topic.id, partition)
    if (!positions) return 0
    const records = this.partitionStatements.for(topic.id, partition)
    const settled = records.lastSettledOffset.get(now - numericConfig(topic.configs, 'segment.ms')) as
      | number
      | null
      | undefined
    if (settled === null || settled === undefined) return 0
    const head = settled + 1
    const { total, dirty } = records.counts.get(positions.cleaned_offset, head)!
    if (total === 0 || dirty === 0 || dirty / total < numericConfig(topic.configs, 'min.cleanable.dirty.ratio')) return 0
    let removed = records.deleteSuperseded.run({ head }).changes
    const tombstonesBefore = now - numericConfig(topic.configs, 'delete.retention.ms')
    removed += records.deleteTombstones.run(head, tombstonesBefore).changes
    this.statements.setCleaned.run(head, topic.id, partition)
    return removed
  }

  private expire(topic: TopicRow, partition: number, now: number): number {
    if (!topic.configs['cleanup.policy']?.split(',').includes('delete') && isCompacted(topic.configs)) return 0
    const retentionMs = numericConfig(topic.configs, 'retention.ms')
    if (retentionMs < 0) return 0
    const cutoffSecond = Math.floor((now - retentionMs) / 1000)
    const retained = this.statements.firstRetainedOffset.get(topic.id, partition, cutoffSecond) as number | null | undefined
    // Nothing retained: everything before the end goes, which the partition's next offset bounds.
    const keepFrom = retained ?? this.statements.positions.get(topic.id, partition)?.next_offset ?? 0
    const removed = this.partitionStatements.for(topic.id, partition).deleteBefore.run(keepFrom).changes
    this.statements.deleteSeconds.run(topic.id, partition, cutoffSecond)
    return removed
  }
}
