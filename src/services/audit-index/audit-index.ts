import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { AuditDecision, AuditRecord } from '../../domain/audit-record.js'
import type { CheckCode } from '../../domain/pretrade/check-codes.js'
import { auditSchema } from '../../contracts/messages.js'
import { decodeJson } from '../../contracts/decode.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../../log/port.js'
import { AUDIT } from '../../../topologies/topics.js'

export const AUDIT_INDEX_FILE = 'audit-index.db'
/** Bumped when the table changes: the index is only a copy of audit.v1, so an older one is rebuilt, not migrated. */
const SCHEMA_VERSION = '3'

export interface AuditQuery {
  readonly account?: string | undefined
  readonly decision?: AuditDecision | undefined
  readonly corrId?: string | undefined
  /** The router's check that decided (ADR 0014). */
  readonly check?: CheckCode | undefined
  /** Epoch ms: records at or after. */
  readonly since?: number | undefined
  readonly limit: number
}

/**
 * A local index of audit.v1, as the seed's DynamoDB table with its GSIs: queries by account,
 * decision, corr_id and time answer from SQLite indexes instead of a scan of the topic. The index
 * remembers how far it has read per partition and catches up on every query; `riskctl up` keeps
 * it current as it runs. Several processes may catch up at once: inserts are idempotent.
 */
export class AuditIndex {
  private readonly statements

  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 10000')
    db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)')
    db.transaction(() => {
      const version = db.prepare<[], string>("SELECT value FROM meta WHERE name = 'schema'").pluck().get()
      if (version === SCHEMA_VERSION) return
      db.exec(
        "DROP TABLE IF EXISTS audit; DROP TABLE IF EXISTS positions; DROP TABLE IF EXISTS damaged; DELETE FROM meta WHERE name = 'source'",
      )
      db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('schema', ?)").run(SCHEMA_VERSION)
    }).immediate()
    db.exec(`
      CREATE TABLE IF NOT EXISTS positions (partition INTEGER PRIMARY KEY, next_offset INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS audit (
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        decision TEXT NOT NULL,
        order_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        corr_id TEXT NOT NULL,
        check_code TEXT,
        record TEXT NOT NULL,
        PRIMARY KEY (partition, offset)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS audit_by_time ON audit (ts);
      CREATE INDEX IF NOT EXISTS audit_by_account ON audit (account_id, ts);
      CREATE INDEX IF NOT EXISTS audit_by_decision ON audit (decision, ts);
      CREATE INDEX IF NOT EXISTS audit_by_corr ON audit (corr_id, ts);
      CREATE INDEX IF NOT EXISTS audit_by_check ON audit (check_code, ts);
      CREATE INDEX IF NOT EXISTS audit_by_order ON audit (order_id, ts);
      CREATE TABLE IF NOT EXISTS damaged (
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        error TEXT NOT NULL,
        PRIMARY KEY (partition, offset)
      ) WITHOUT ROWID;
    `)
    this.statements = {
      positions: db.prepare<[], { partition: number; next_offset: number }>(
        'SELECT partition, next_offset FROM positions',
      ),
      setPosition: db.prepare(
        'INSERT INTO positions (partition, next_offset) VALUES (?, ?) ' +
          'ON CONFLICT (partition) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)',
      ),
      insert: db.prepare(
        'INSERT OR IGNORE INTO audit (partition, offset, ts, decision, order_id, account_id, corr_id, check_code, record) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      source: db.prepare<[], string>("SELECT value FROM meta WHERE name = 'source'").pluck(),
      setSource: db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('source', ?)"),
      count: db.prepare<[], number>('SELECT COUNT(*) FROM audit').pluck(),
      byOrder: db.prepare<[string], IndexedRow>(
        // In the log's order, not by the time a record says of itself: a record is keyed by its order_id.
        'SELECT partition, offset, record FROM audit WHERE order_id = ? ORDER BY partition, offset LIMIT 1000',
      ),
      firstUnder: db.prepare<[string, string], IndexedRow>(
        "SELECT partition, offset, record FROM audit WHERE corr_id = ? AND decision = ? AND order_id <> '' ORDER BY ts, partition, offset LIMIT 1",
      ),
      // A command's audit has no order_id; the aggregator writes one per command, keyed by cmd_id.
      insertDamaged: db.prepare(
        'INSERT OR IGNORE INTO damaged (partition, offset, ts, error) VALUES (?, ?, ?, ?)',
      ),
      damaged: db.prepare<[number], DamagedAudit>(
        'SELECT partition, offset, ts, error FROM damaged WHERE ts >= ? ORDER BY partition, offset',
      ),
      routerSince: db.prepare<[number], IndexedRow>(
        "SELECT partition, offset, record FROM audit WHERE ts >= ? AND order_id <> '' ORDER BY ts, partition, offset",
      ),
      // The aggregator's records of applied commands: a kill-switch change names its action first in its reason.
      applied: db.prepare<[], IndexedRow>(
        "SELECT partition, offset, record FROM audit WHERE decision = 'APPLIED' AND order_id = '' ORDER BY ts, partition, offset",
      ),
      rates: db.prepare<[number, number, number], { bucket: number; decision: string; count: number }>(
        "SELECT ts / ? AS bucket, decision, COUNT(*) AS count FROM audit WHERE ts BETWEEN ? AND ? AND order_id <> '' AND decision IN ('ALLOW', 'DROP') GROUP BY bucket, decision",
      ),
      dropsUnder: db.prepare<[string, number, number], IndexedRow>(
        "SELECT partition, offset, record FROM audit WHERE corr_id = ? AND decision = 'DROP' AND order_id <> '' AND ts BETWEEN ? AND ? ORDER BY ts, partition, offset",
      ),
      commandAudits: db.prepare<[string], IndexedRow>(
        "SELECT partition, offset, record FROM audit WHERE corr_id = ? AND order_id = '' ORDER BY ts, partition, offset LIMIT 100",
      ),
    }
  }

  /**
   * Opens the index for one log. `source` names the log (its data dir or brokers): an index built
   * from another log is emptied rather than mixed with this one.
   */
  static open(dataDir: string, source: string): AuditIndex {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    const file = path.join(dataDir, AUDIT_INDEX_FILE)
    let index: AuditIndex
    try {
      index = AuditIndex.opened(file, source)
    } catch (error) {
      // Only a copy of audit.v1: a damaged one is built again from the log rather than trusted or mended.
      if (!isDamaged(error)) throw error
      AuditIndex.remove(dataDir)
      index = AuditIndex.opened(file, source)
    }
    return index
  }

  /**
   * Opens the index, brings it up to date with audit.v1 and runs `work` on it. Damage found on the way (a page that
   * does not read) deletes the index and starts again from the log, once.
   */
  static async use<T>(
    log: EventLog,
    dataDir: string,
    work: (index: AuditIndex) => Promise<T> | T,
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const index = AuditIndex.open(dataDir, log.description)
      try {
        await index.catchUp(log)
        return await work(index)
      } catch (error) {
        if (attempt > 0 || !isDamaged(error)) throw error
      } finally {
        index.close()
      }
      AuditIndex.remove(dataDir)
    }
  }

  private static remove(dataDir: string): void {
    const file = path.join(dataDir, AUDIT_INDEX_FILE)
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true })
  }

  private static opened(file: string, source: string): AuditIndex {
    const db = new Database(file)
    try {
      const index = new AuditIndex(db)
      index.db
        .transaction(() => {
          if (index.statements.source.get() === source) return
          index.db.exec('DELETE FROM audit; DELETE FROM positions; DELETE FROM damaged;')
          index.statements.setSource.run(source)
        })
        .immediate()
      return index
    } catch (error) {
      db.close()
      throw error
    }
  }

  /** Where to read audit.v1 from next, per partition. */
  positions(): TopicPartitionOffset[] {
    return this.statements.positions
      .all()
      .map((row) => ({ topic: AUDIT, partition: row.partition, offset: row.next_offset }))
  }

  /** Indexes a batch and records how far it got, in one transaction. */
  add(records: readonly LogRecord[], positions: readonly TopicPartitionOffset[]): number {
    return this.db
      .transaction(() => {
        let added = 0
        for (const record of records) {
          const decoded = decodeJson(auditSchema, record.value)
          // A malformed audit record is kept out of the index and remembered as damaged; it stays on the topic.
          if (!decoded.ok) {
            this.statements.insertDamaged.run(
              record.partition,
              record.offset,
              record.timestamp,
              decoded.error,
            )
            continue
          }
          const audit = decoded.value
          added += this.statements.insert.run(
            record.partition,
            record.offset,
            audit.ts,
            audit.decision,
            audit.order_id,
            audit.account_id,
            audit.corr_id,
            audit.check ?? null,
            record.value!.toString('utf8'),
          ).changes
        }
        for (const position of positions) this.statements.setPosition.run(position.partition, position.offset)
        return added
      })
      .immediate()
  }

  /** Reads audit.v1 from where the index stopped up to the end it has now. */
  async catchUp(log: EventLog, signal?: AbortSignal): Promise<number> {
    const consumer = await log.consumer({
      topics: [AUDIT],
      from: { type: 'offsets', offsets: this.positions() },
    })
    try {
      const ends = await consumer.endOffsets()
      let added = 0
      while (!signal?.aborted && !reached(consumer.positions(), ends)) {
        const batch = await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 })
        added += this.add(batch, consumer.positions())
      }
      return added
    } finally {
      await consumer.close()
    }
  }

  query(query: AuditQuery): AuditRecord[] {
    const where: string[] = []
    const params: (string | number)[] = []
    if (query.account !== undefined) {
      where.push('account_id = ?')
      params.push(query.account)
    }
    if (query.decision !== undefined) {
      where.push('decision = ?')
      params.push(query.decision)
    }
    if (query.corrId !== undefined) {
      where.push('corr_id = ?')
      params.push(query.corrId)
    }
    if (query.check !== undefined) {
      where.push('check_code = ?')
      params.push(query.check)
    }
    if (query.since !== undefined) {
      where.push('ts >= ?')
      params.push(query.since)
    }
    const sql =
      `SELECT record FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY ts DESC, partition, offset DESC LIMIT ?'
    const rows = this.db
      .prepare<(string | number)[], string>(sql)
      .pluck()
      .all(...params, query.limit)
    return rows.map((row) => JSON.parse(row) as AuditRecord)
  }

  /** Every record of one order_id, oldest first: its decision, then any DUPLICATE of a copy sent again. */
  decisionsOf(orderId: string): IndexedAudit[] {
    return this.statements.byOrder.all(orderId).map(indexed)
  }

  /** The first order decided `decision` under the state record `corrId`: for a kill, its first DROP. */
  firstUnder(corrId: string, decision: AuditDecision): IndexedAudit | undefined {
    const row = this.statements.firstUnder.get(corrId, decision)
    return row === undefined ? undefined : indexed(row)
  }

  /** The router's decisions (and any other record naming an order) from `sinceMs` on, oldest first. */
  decisionsSince(sinceMs: number): IndexedAudit[] {
    return this.statements.routerSince.all(sinceMs).map(indexed)
  }

  /** ALLOWs and DROPs of orders per bucket of `bucketMs` between two times (inclusive). */
  decisionCounts(
    fromMs: number,
    toMs: number,
    bucketMs: number,
  ): { start_ms: number; decision: 'ALLOW' | 'DROP'; count: number }[] {
    // SQLite's integer division of integer ts: the bucket's index.
    return this.statements.rates
      .all(bucketMs, fromMs, toMs)
      .map((row) => ({
        start_ms: Math.floor(row.bucket) * bucketMs,
        decision: row.decision as 'ALLOW' | 'DROP',
        count: row.count,
      }))
  }

  /** Every order dropped under the state record `corrId` between two times (inclusive), oldest first. */
  dropsUnder(corrId: string, fromMs = 0, toMs = Number.MAX_SAFE_INTEGER): IndexedAudit[] {
    return this.statements.dropsUnder.all(corrId, fromMs, toMs).map(indexed)
  }

  /** The first order dropped under `corrId` for `scope` (two commands may share a corr_id), read oldest first. */
  firstDropOf(corrId: string, scope: string): IndexedAudit | undefined {
    for (const row of this.statements.dropsUnder.iterate(corrId, 0, Number.MAX_SAFE_INTEGER)) {
      const found = indexed(row)
      if (found.audit.scope_matches.includes(scope)) return found
    }
    return undefined
  }

  /** Every command the aggregator applied, oldest first. */
  appliedCommands(): IndexedAudit[] {
    return this.statements.applied.all().map(indexed)
  }

  /** Records of audit.v1 that are no audit record (the contract's reason), from `sinceMs` on. */
  damaged(sinceMs: number): DamagedAudit[] {
    return this.statements.damaged.all(sinceMs)
  }

  /** The aggregator's records of the commands carrying `corrId`, oldest first: APPLIED, REFUSED, PENDING, DUPLICATE. */
  commandAuditsOf(corrId: string): IndexedAudit[] {
    return this.statements.commandAudits.all(corrId).map(indexed)
  }

  get size(): number {
    return this.statements.count.get() as number
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

interface IndexedRow {
  readonly partition: number
  readonly offset: number
  readonly record: string
}

export interface DamagedAudit {
  readonly partition: number
  readonly offset: number
  readonly ts: number
  readonly error: string
}

/** An audit record with where it lies on audit.v1. */
export interface IndexedAudit {
  readonly partition: number
  readonly offset: number
  readonly audit: AuditRecord
}

function indexed(row: IndexedRow): IndexedAudit {
  return { partition: row.partition, offset: row.offset, audit: JSON.parse(row.record) as AuditRecord }
}

function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB'
}

function reached(positions: readonly TopicPartitionOffset[], ends: readonly TopicPartitionOffset[]): boolean {
  return ends.every(
    (end) => (positions.find((p) => p.partition === end.partition)?.offset ?? 0) >= end.offset,
  )
}
