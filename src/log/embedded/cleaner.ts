import type Database from 'better-sqlite3'
import { isCompacted, numericConfig } from '../topic-configs.js'
import { BatchCursor, encodeBatch, encodedSize, type EncodableRecord } from './record-batch.js'
import { PartitionStatements } from './partition-tables.js'
import type { RecordReader } from './record-reader.js'
import type { TopicRow } from './topic-catalogue.js'

type BatchRow = [number, number, Buffer]

/** Batches read at a time while compacting. */
const CLEANING_PAGE = 64

/**
 * The log cleaner, as Kafka's works, on one partition at a time:
 * - delete topics lose records older than retention.ms;
 * - compacted topics keep only the newest record per key. Records younger than segment.ms are
 *   the "active segment" and are never cleaned; cleaning starts only once the dirty part (records
 *   since the last pass) is at least min.cleanable.dirty.ratio of the cleanable log; tombstones
 *   go once they are older than delete.retention.ms. Offsets keep their gaps.
 * A batch that loses some of its records is written again without them, under its first remaining offset.
 */
function prepareCleaningStatements(db: Database.Database, table: string) {
  return {
    // The newest batch holding a record old enough to leave the active segment.
    lastSettledBatch: db.prepare<[number], BatchRow>(`SELECT id, append_ts, data FROM ${table} WHERE min_ts <= ? ORDER BY id DESC LIMIT 1`).raw(),
    // Whole batches in [from, to); the batches that cross either bound are counted record by record.
    wholeCount: db
      .prepare<{ from: number; to: number }, number>(
        `SELECT COALESCE(SUM(count), 0) FROM ${table} WHERE id >= @from AND id < @to AND last < @to`,
      )
      .pluck(),
    batchHolding: db
      .prepare<[number], [number, number, number, Buffer]>(
        `SELECT id, last, append_ts, data FROM ${table} WHERE id = (SELECT MAX(id) FROM ${table} WHERE id <= ?)`,
      )
      .raw(),
    // A page at a time: the batches are rewritten as they are read, and a whole log need not fit in memory.
    batchPage: db
      .prepare<{ from: number; to: number }, BatchRow>(
        `SELECT id, append_ts, data FROM ${table} WHERE id >= @from AND id < @to ORDER BY id LIMIT ${CLEANING_PAGE}`,
      )
      .raw(),
    countBefore: db
      .prepare<{ keep: number }, number>(`SELECT COALESCE(SUM(count), 0) FROM ${table} WHERE id < @keep AND last < @keep`)
      .pluck(),
    deleteBefore: db.prepare<{ keep: number }>(`DELETE FROM ${table} WHERE id < @keep AND last < @keep`),
    deleteBatch: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
    insertBatch: db.prepare(`INSERT INTO ${table} (id, last, min_ts, max_ts, append_ts, count, data) VALUES (?, ?, ?, ?, ?, ?, ?)`),
  }
}

type CleaningStatements = ReturnType<typeof prepareCleaningStatements>

export class LogCleaner {
  private readonly statements
  private readonly partitionStatements: PartitionStatements<CleaningStatements>

  constructor(
    private readonly db: Database.Database,
    private readonly reader: RecordReader,
  ) {
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
    const batches = this.partitionStatements.for(topic.id, partition)
    const settled = lastSettledOffset(batches, now - numericConfig(topic.configs, 'segment.ms'))
    if (settled === undefined) return 0
    const head = settled + 1
    const total = countBetween(batches, 0, head)
    const dirty = countBetween(batches, positions.cleaned_offset, head)
    if (total === 0 || dirty === 0 || dirty / total < numericConfig(topic.configs, 'min.cleanable.dirty.ratio')) return 0
    const newest = new Map<string | null, number>()
    this.reader.forEachKey(topic, partition, (key, offset) => newest.set(key, offset))
    const tombstonesBefore = now - numericConfig(topic.configs, 'delete.retention.ms')
    const keep = (cursor: BatchCursor): boolean => {
      if (cursor.offset >= head) return true
      if (newest.get(cursor.readKey()) !== cursor.offset) return false
      return !(cursor.isTombstone() && cursor.timestamp < tombstonesBefore)
    }
    let removed = 0
    let from = 0
    for (let page = batches.batchPage.all({ from, to: head }); page.length > 0; page = batches.batchPage.all({ from, to: head })) {
      for (const [id, appendTs, data] of page) {
        const rewritten = rewrite(batches, new BatchCursor(id, appendTs, data), keep)
        removed += rewritten.removed
        // Past the whole batch as it was: a batch written again keeps an id within its old range.
        from = rewritten.last + 1
      }
    }
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
    const batches = this.partitionStatements.for(topic.id, partition)
    let removed = batches.countBefore.get({ keep: keepFrom }) as number
    batches.deleteBefore.run({ keep: keepFrom })
    const straddling = batches.batchHolding.get(keepFrom)
    if (straddling !== undefined && straddling[0] < keepFrom) {
      const [id, , appendTs, data] = straddling
      removed += rewrite(batches, new BatchCursor(id, appendTs, data), (cursor) => cursor.offset >= keepFrom).removed
    }
    this.statements.deleteSeconds.run(topic.id, partition, cutoffSecond)
    return removed
  }
}

/** The offset of the newest record stamped at or before `cutoff`, if any. */
function lastSettledOffset(batches: CleaningStatements, cutoff: number): number | undefined {
  const row = batches.lastSettledBatch.get(cutoff)
  if (row === undefined) return undefined
  let settled: number | undefined
  const cursor = new BatchCursor(...row)
  while (cursor.next()) if (cursor.timestamp <= cutoff) settled = cursor.offset
  return settled
}

/** How many records lie in [from, to). */
function countBetween(batches: CleaningStatements, from: number, to: number): number {
  if (to <= from) return 0
  let count = batches.wholeCount.get({ from, to }) as number
  const edges = new Map<number, BatchCursor>()
  for (const bound of [from, to - 1]) {
    const row = batches.batchHolding.get(bound)
    if (row === undefined) continue
    const [id, last, appendTs, data] = row
    // Only a batch that crosses a bound was left out of the whole ones.
    if (last >= from && (id < from || last >= to)) edges.set(id, new BatchCursor(id, appendTs, data))
  }
  for (const cursor of edges.values()) while (cursor.next()) if (cursor.offset >= from && cursor.offset < to) count += 1
  return count
}

/**
 * Writes the batch again with only the records `keep` accepts, their times now explicit; returns how many it lost
 * and the last offset it held.
 */
function rewrite(batches: CleaningStatements, cursor: BatchCursor, keep: (cursor: BatchCursor) => boolean): { removed: number; last: number } {
  const kept: EncodableRecord[] = []
  let removed = 0
  let first: number | undefined
  let last = 0
  while (cursor.next()) {
    first ??= cursor.offset
    last = cursor.offset
    if (keep(cursor)) kept.push(cursor.encodable())
    else removed += 1
  }
  if (removed === 0 || first === undefined) return { removed, last }
  batches.deleteBatch.run(first)
  if (kept.length === 0) return { removed, last }
  let bytes = 0
  let minTs = Number.POSITIVE_INFINITY
  let maxTs = Number.NEGATIVE_INFINITY
  for (const record of kept) {
    bytes += encodedSize(record.key, record.value, record.headers)
    minTs = Math.min(minTs, record.timestamp)
    maxTs = Math.max(maxTs, record.timestamp)
  }
  batches.insertBatch.run(kept[0]!.offset, kept.at(-1)!.offset, minTs, maxTs, maxTs, kept.length, encodeBatch(kept, bytes))
  return { removed, last }
}
