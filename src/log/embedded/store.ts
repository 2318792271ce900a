import Database from 'better-sqlite3'
import type { GroupCommit, RecordMetadata, TopicBatch } from '../port.js'
import { GroupOffsets } from './group-offsets.js'
import { appendedMetadata, RecordAppender, type PreparedAppend } from './record-appender.js'
import { RecordReader } from './record-reader.js'
import { validateRecords } from './record-validation.js'
import { applySchema } from './schema.js'
import { TopicCatalogue } from './topic-catalogue.js'

/**
 * The synchronous SQLite side of the embedded log: one connection, prepared statements, and the
 * transactions that make appends atomic across processes. Everything async lives in EmbeddedLog.
 */
export class LogStore {
  readonly topics: TopicCatalogue
  readonly reader: RecordReader
  readonly groups: GroupOffsets
  private readonly appender: RecordAppender

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {
    applySchema(db)
    this.topics = new TopicCatalogue(db)
    this.appender = new RecordAppender(db)
    this.reader = new RecordReader(db)
    this.groups = new GroupOffsets(db, this.topics)
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

  /**
   * Appends every batch and commits the group's positions in one transaction: all of it is
   * durable, or none of it is. This is what makes a processor's outputs and its progress agree.
   */
  write(batches: readonly TopicBatch[], commit?: GroupCommit): RecordMetadata[] {
    const appends = this.prepareWrite(batches)
    return writtenMetadata(appends, this.commitWrite(appends, commit))
  }

  /** The write's records checked and encoded, before any lock is taken: a refused record leaves nothing written. */
  prepareWrite(batches: readonly TopicBatch[]): PreparedAppend[] {
    const topics = batches.map((batch) => {
      const topic = this.topics.get(batch.topic)
      validateRecords(topic, batch.records)
      return topic
    })
    return batches.map((batch, i) => this.appender.prepare(topics[i]!, batch.records))
  }

  /** The write's transaction: each append's first offset per partition. */
  commitWrite(appends: readonly PreparedAppend[], commit: GroupCommit | undefined): number[][] {
    return this.db
      .transaction(() => {
        // Read under the write lock: appends get their times in the order they get their offsets.
        const now = Date.now()
        const first = appends.map((append) => this.appender.append(append, now))
        if (commit) this.groups.commitInTransaction(commit.groupId, commit.offsets)
        return first
      })
      .immediate()
  }

  /** Runs `read` on one consistent snapshot of the log. */
  snapshot<T>(read: () => T): T {
    return this.db.transaction(read).deferred()
  }

  close(): void {
    this.db.close()
  }
}

/** Each record's partition and offset, in the order the write was given them. */
export function writtenMetadata(appends: readonly PreparedAppend[], firstOffsets: readonly (readonly number[])[]): RecordMetadata[] {
  const metadata: RecordMetadata[] = []
  appends.forEach((append, i) => appendedMetadata(append, firstOffsets[i]!, metadata))
  return metadata
}
