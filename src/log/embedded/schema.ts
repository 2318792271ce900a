import type Database from 'better-sqlite3'

/**
 * One SQLite database per data directory. Records are keyed by (topic, partition, offset) in a
 * WITHOUT ROWID table so a partition is one contiguous range of the primary key: reads from a
 * position and appends are both a single B-tree walk.
 */
const SCHEMA_VERSION = 1

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
CREATE TABLE IF NOT EXISTS records (
  topic_id INTEGER NOT NULL,
  partition INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  key TEXT,
  value BLOB,
  headers TEXT,
  PRIMARY KEY (topic_id, partition, offset)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_time ON records (topic_id, partition, ts);
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
  // WAL lets readers in other processes run while one process appends; NORMAL synchronisation
  // keeps every committed transaction across a crash of the process (not of the machine).
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 10000')
  db.pragma('foreign_keys = OFF')
  const version = db.pragma('user_version', { simple: true }) as number
  if (version === SCHEMA_VERSION) return
  db.transaction(() => {
    db.exec(DDL)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}
