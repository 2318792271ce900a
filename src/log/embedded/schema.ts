import type Database from 'better-sqlite3'
import { LogError } from '../errors.js'

/**
 * One SQLite database per data directory. Each partition's records are a table of their own, of record
 * batches keyed by their first offset (see partition-tables.ts), so reads from a position and appends are
 * both a single B-tree walk, with no secondary index. A sparse time index
 * (the first offset of every second, per partition) serves timestamp seeks and retention, as
 * Kafka's segment time index does.
 */
const SCHEMA_VERSION = 4

const DDL = `
CREATE TABLE IF NOT EXISTS topics (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  partitions INTEGER NOT NULL,
  configs TEXT NOT NULL,
  created_ts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS partitions (
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  next_offset INTEGER NOT NULL DEFAULT 0,
  -- Offsets below this were compacted by the last cleaning pass ("clean"); above it is "dirty".
  cleaned_offset INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS time_index (
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  second INTEGER NOT NULL,
  first_offset INTEGER NOT NULL,
  PRIMARY KEY (topic_id, partition, second)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id TEXT NOT NULL,
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic_id, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_members (
  group_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  hostname TEXT NOT NULL,
  pid INTEGER NOT NULL,
  joined_ts INTEGER NOT NULL
);
`

export function applySchema(db: Database.Database): void {
  // Only takes effect on a new database. Records live in batches, mostly on overflow pages that an append fills
  // whole, so a commit's cost is the partly filled pages it must write again (each partition's last leaf, the
  // offsets, the group's positions): with 4 KiB pages a small commit writes about a third of what 16 KiB cost.
  db.pragma('page_size = 4096')
  // WAL lets readers in other processes run while one process appends; NORMAL synchronisation
  // keeps every committed transaction across a crash of the process (not of the machine).
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 10000')
  db.pragma('foreign_keys = OFF')
  const version = db.pragma('user_version', { simple: true }) as number
  if (version === SCHEMA_VERSION) return
  if (version !== 0) {
    throw new LogError(
      'RISKCTL_DATA_DIR_INVALID',
      `${db.name} has log format ${version}; this riskctl reads format ${SCHEMA_VERSION} and never converts or resets a log.`,
      { suggestions: ['Use the riskctl version that created it, or pass --data-dir with a new directory.'] },
    )
  }
  db.transaction(() => {
    db.exec(DDL)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}

/**
 * The log's identity, kept inside it (and in the data directory's marker): a log.db swapped for another is
 * told apart. A log without one (new, or made before riskctl kept one) takes `candidate`.
 */
export function logIdentity(db: Database.Database, candidate: string | undefined): string | undefined {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID')
  if (candidate !== undefined) db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('log_id', ?)").run(candidate)
  return db.prepare<[], string>("SELECT value FROM meta WHERE key = 'log_id'").pluck().get()
}
