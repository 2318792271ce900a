import type Database from 'better-sqlite3'

/**
 * Each partition's records live in a table of their own, as each Kafka partition has its own log: an append
 * always lands at the right edge of its B-tree, which SQLite fills page by page, where appends into the middle of
 * one shared table split pages half full. A row is a record batch (record-batch.ts) whose rowid is its first
 * offset; it also keeps its last offset, its oldest and newest timestamps, the time of its append and how many
 * records it holds, so that seeks, retention and counts rarely need to open a batch.
 */
export const MAX_PARTITIONS = 256

export function partitionTable(topicId: number, partition: number): string {
  return `p${topicId}_${partition}`
}

export function createPartitionTable(db: Database.Database, topicId: number, partition: number): void {
  db.exec(
    `CREATE TABLE ${partitionTable(topicId, partition)} (` +
      'id INTEGER PRIMARY KEY, last INTEGER NOT NULL, min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL, ' +
      'append_ts INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL)',
  )
}

/** Prepares statements once per partition and connection, on first use. */
export class PartitionStatements<S> {
  private readonly cache = new Map<string, S>()

  constructor(private readonly prepare: (table: string) => S) {}

  for(topicId: number, partition: number): S {
    const table = partitionTable(topicId, partition)
    let statements = this.cache.get(table)
    if (statements === undefined) {
      statements = this.prepare(table)
      this.cache.set(table, statements)
    }
    return statements
  }
}
