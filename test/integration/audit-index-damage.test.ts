import fs from 'node:fs'
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import type { EventLog } from '../../src/log/port.js'
import { AUDIT_INDEX_FILE, AuditIndex } from '../../src/services/audit-index/audit-index.js'
import { AUDIT, TOPICS } from '../../topologies/topics.js'
import { createTempDir } from '../helpers/cli.js'
import { jsonRecord } from '../helpers/json-record.js'

const audit = (i: number) =>
  jsonRecord(`o-${i}`, {
    ts: 1_796_000_000_000 + i,
    decision: 'ALLOW',
    order_id: `o-${i}`,
    account_id: '42',
    symbol: 'AAPL',
    strategy: 'm',
    scope_matches: [],
    killswitch_status: 'ACTIVE',
    reason: 'no kill switch state for this order',
    corr_id: '',
    check: null,
    service: 'router',
  })

describe('the audit index is a cache: damage is rebuilt from audit.v1, never answered from', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let log: EventLog
  beforeEach(async () => {
    dir = await createTempDir()
    log = await openEmbeddedLog({ dataDir: path.join(dir.path, 'log') })
    await log.createTopics(TOPICS)
    await log.produce(
      AUDIT,
      Array.from({ length: 3000 }, (_, i) => audit(i)),
    )
  })
  afterEach(async () => {
    await log.close()
    await dir.remove()
  })

  const count = () => AuditIndex.use(log, dir.path, (index) => index.size)

  it('answers after the pages of its tables are overwritten (the file still opens)', async () => {
    expect(await count()).toBe(3000)
    const file = path.join(dir.path, AUDIT_INDEX_FILE)
    // Every page but the schema's and those of the small tables read on opening: the file opens, the index does not read.
    const db = new Database(file, { readonly: true })
    const pageSize = db.pragma('page_size', { simple: true }) as number
    const kept = new Set([
      1,
      ...(db
        .prepare(
          "SELECT rootpage FROM sqlite_master WHERE name IN ('meta', 'sqlite_autoindex_meta_1', 'positions')",
        )
        .pluck()
        .all() as number[]),
    ])
    db.close()
    const pages = fs.statSync(file).size / pageSize
    const fd = fs.openSync(file, 'r+')
    for (let page = 2; page <= pages; page += 1) {
      if (!kept.has(page)) fs.writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (page - 1) * pageSize)
    }
    fs.closeSync(fd)
    expect(await count()).toBe(3000)
  })

  it('answers when the file is no database at all', async () => {
    expect(await count()).toBe(3000)
    fs.writeFileSync(path.join(dir.path, AUDIT_INDEX_FILE), 'not a database')
    expect(await count()).toBe(3000)
  })
})
