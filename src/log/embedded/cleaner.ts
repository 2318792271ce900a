import type Database from 'better-sqlite3'
import { isCompacted, numericConfig } from '../topic-configs.js'
import type { TopicRow } from './store.js'

/**
 * The log cleaner, as Kafka's works, on one partition at a time:
 * - delete topics lose records older than retention.ms;
 * - compacted topics keep only the newest record per key. Records younger than segment.ms are
 *   the "active segment" and are never cleaned; cleaning starts only once the dirty part (records
 *   since the last pass) is at least min.cleanable.dirty.ratio of the cleanable log; tombstones
 *   go once they are older than delete.retention.ms. Offsets keep their gaps.
 */
export class LogCleaner {
  private readonly statements

  constructor(private readonly db: Database.Database) {
    this.statements = {
      headOffset: db
        .prepare<[number, number, number], number | null>(
          'SELECT MIN(offset) FROM records WHERE topic_id = ? AND partition = ? AND ts > ?',
        )
        .pluck(),
      cleanedOffset: db
        .prepare<[number, number], { cleaned_offset: number; next_offset: number }>(
          'SELECT cleaned_offset, next_offset FROM partitions WHERE topic_id = ? AND partition = ?',
        ),
      counts: db.prepare<[number, number, number, number], { total: number; dirty: number }>(
        'SELECT COUNT(*) AS total, COALESCE(SUM(offset >= ?), 0) AS dirty FROM records WHERE topic_id = ? AND partition = ? AND offset < ?',
      ),
      deleteSuperseded: db.prepare(
        'DELETE FROM records WHERE topic_id = @topic AND partition = @partition AND offset < @head AND offset NOT IN ' +
          '(SELECT MAX(offset) FROM records WHERE topic_id = @topic AND partition = @partition GROUP BY key)',
      ),
      deleteTombstones: db.prepare(
        'DELETE FROM records WHERE topic_id = ? AND partition = ? AND offset < ? AND value IS NULL AND ts < ?',
      ),
      setCleaned: db.prepare('UPDATE partitions SET cleaned_offset = ? WHERE topic_id = ? AND partition = ?'),
      deleteExpired: db.prepare('DELETE FROM records WHERE topic_id = ? AND partition = ? AND ts < ?'),
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
    const positions = this.statements.cleanedOffset.get(topic.id, partition)
    if (!positions) return 0
    const activeSince = now - numericConfig(topic.configs, 'segment.ms')
    const head = (this.statements.headOffset.get(topic.id, partition, activeSince) as number | null) ?? positions.next_offset
    const { total, dirty } = this.statements.counts.get(positions.cleaned_offset, topic.id, partition, head)!
    if (total === 0 || dirty === 0 || dirty / total < numericConfig(topic.configs, 'min.cleanable.dirty.ratio')) return 0
    let removed = this.statements.deleteSuperseded.run({ topic: topic.id, partition, head }).changes
    const tombstonesBefore = now - numericConfig(topic.configs, 'delete.retention.ms')
    removed += this.statements.deleteTombstones.run(topic.id, partition, head, tombstonesBefore).changes
    this.statements.setCleaned.run(head, topic.id, partition)
    return removed
  }

  private expire(topic: TopicRow, partition: number, now: number): number {
    if (!topic.configs['cleanup.policy']?.split(',').includes('delete') && isCompacted(topic.configs)) return 0
    const retentionMs = numericConfig(topic.configs, 'retention.ms')
    if (retentionMs < 0) return 0
    return this.statements.deleteExpired.run(topic.id, partition, now - retentionMs).changes
  }
}
