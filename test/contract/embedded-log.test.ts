import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { isLogError } from '../../src/log/errors.js'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { describeEventLogContract } from './event-log-contract.js'
import { drain, json, startWriter, testTopic } from './support.js'

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-log-'))
}

describeEventLogContract('embedded', async () => {
  const dir = tempDir()
  return {
    open: () => openEmbeddedLog({ dataDir: dir }),
    childEnv: () => ({ RISKCTL_DATA_DIR: dir }),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  }
})

// The same contract with appends run on a writer thread, as a router process runs them.
describeEventLogContract('embedded, writer thread', async () => {
  const dir = tempDir()
  return {
    open: () => openEmbeddedLog({ dataDir: dir, writerThread: true }),
    childEnv: () => ({ RISKCTL_DATA_DIR: dir }),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  }
})

describe('embedded log: its data directory and groups', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })
  function dir(): string {
    const created = tempDir()
    dirs.push(created)
    return created
  }

  async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    if (!isLogError(error)) throw new Error(`expected a LogError, got ${String(error)}`)
    return { code: error.code, message: error.message }
  }

  it('lets timers and I/O run while a consumer works through a backlog', async () => {
    const log = await openEmbeddedLog({ dataDir: dir() })
    try {
      const topic = testTopic({ partitions: 1 })
      await log.createTopics([topic])
      for (let i = 0; i < 20; i += 1) {
        await log.produce(topic.name, Array.from({ length: 1000 }, (_, n) => ({ key: 'k', value: Buffer.from(`${i}-${n}`) })))
      }
      const consumer = await log.consumer({ topics: [topic.name], from: { type: 'earliest' } })
      let ticks = 0
      const timer = setInterval(() => (ticks += 1), 0)
      let read = 0
      let ticksSeenWhileReading = 0
      // A loop that never waits for anything but the consumer, as a router with a backlog is.
      while (read < 20_000) {
        read += (await consumer.poll({ maxRecords: 500, maxWaitMs: 0 })).length
        if (read < 20_000) ticksSeenWhileReading = ticks
      }
      clearInterval(timer)
      await consumer.close()
      expect(read).toBe(20_000)
      expect(ticksSeenWhileReading).toBeGreaterThan(0)
    } finally {
      await log.close()
    }
  })

  it('creates a missing data directory and marks it as riskctl', async () => {
    const dataDir = path.join(dir(), 'nested', 'data')
    const log = await openEmbeddedLog({ dataDir })
    await log.close()
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'riskctl.json'), 'utf8'))).toMatchObject({ version: 1 })
  })

  it('refuses a data directory whose log.db has gone, naming the path, and starts no new log there', async () => {
    const dataDir = dir()
    const log = await openEmbeddedLog({ dataDir })
    await log.close()
    const marker = JSON.parse(fs.readFileSync(path.join(dataDir, 'riskctl.json'), 'utf8')) as { log_id?: string }
    expect(marker.log_id).toMatch(/^[0-9a-f-]{36}$/)
    for (const name of fs.readdirSync(dataDir)) if (name.startsWith('log.db')) fs.rmSync(path.join(dataDir, name))
    const refused = await failure(openEmbeddedLog({ dataDir }))
    expect(refused.code).toBe('RISKCTL_DATA_DIR_INVALID')
    expect(refused.message).toContain(path.join(dataDir, 'log.db'))
    expect(refused.message).toMatch(/is missing/)
    expect(fs.existsSync(path.join(dataDir, 'log.db'))).toBe(false)
  })

  it("refuses another directory's log.db copied in, and adopts a log made before logs had an identity", async () => {
    const [first, second] = [dir(), dir()]
    for (const dataDir of [first, second]) await (await openEmbeddedLog({ dataDir })).close()
    fs.copyFileSync(path.join(second, 'log.db'), path.join(first, 'log.db'))
    const refused = await failure(openEmbeddedLog({ dataDir: first }))
    expect(refused.message).toMatch(/has been replaced/)

    // A directory from before: its marker names no log, and its log has no identity yet.
    const old = dir()
    await (await openEmbeddedLog({ dataDir: old })).close()
    fs.writeFileSync(path.join(old, 'riskctl.json'), JSON.stringify({ format: 'riskctl-embedded-log', version: 1 }))
    const db = new Database(path.join(old, 'log.db'))
    db.exec('DROP TABLE meta')
    db.close()
    await (await openEmbeddedLog({ dataDir: old })).close()
    const adopted = JSON.parse(fs.readFileSync(path.join(old, 'riskctl.json'), 'utf8')) as { log_id?: string }
    expect(adopted.log_id).toMatch(/^[0-9a-f-]{36}$/)
    await (await openEmbeddedLog({ dataDir: old })).close()
  })

  it('adopts a log whose creator died before writing the marker, and refuses an old marker whose log has gone', async () => {
    const orphan = dir()
    await (await openEmbeddedLog({ dataDir: orphan })).close()
    fs.rmSync(path.join(orphan, 'riskctl.json'))
    await (await openEmbeddedLog({ dataDir: orphan })).close()
    expect(JSON.parse(fs.readFileSync(path.join(orphan, 'riskctl.json'), 'utf8'))).toMatchObject({ log_id: expect.any(String) })

    const old = dir()
    fs.writeFileSync(path.join(old, 'riskctl.json'), JSON.stringify({ format: 'riskctl-embedded-log', version: 1 }))
    const refused = await failure(openEmbeddedLog({ dataDir: old }))
    expect(refused.message).toMatch(/log.db is missing/)
  })

  it('lets processes that start together on a new directory share one log', async () => {
    const dataDir = path.join(dir(), 'fresh')
    const module = new URL('../../src/log/embedded/embedded-log.ts', import.meta.url).href
    const script = `const { openEmbeddedLog } = await import(${JSON.stringify(module)}); await (await openEmbeddedLog({ dataDir: process.env.DATA })).close()`
    const opened = await Promise.all(
      Array.from({ length: 4 }, () =>
        execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], { env: { DATA: dataDir }, reject: false }),
      ),
    )
    for (const child of opened) expect(child.stderr).toBe('')
    for (const child of opened) expect(child.exitCode).toBe(0)
    const log = await openEmbeddedLog({ dataDir })
    await log.close()
  })

  it('refuses a non-empty directory that riskctl did not create, naming it, and leaves it untouched', async () => {
    const dataDir = dir()
    fs.writeFileSync(path.join(dataDir, 'thesis.tex'), 'precious')
    const error = await failure(openEmbeddedLog({ dataDir }))
    expect(error.code).toBe('RISKCTL_DATA_DIR_INVALID')
    expect(error.message).toContain(dataDir)
    expect(fs.readdirSync(dataDir)).toEqual(['thesis.tex'])
  })

  it('refuses a path that is a file or lies under one', async () => {
    const file = path.join(dir(), 'file')
    fs.writeFileSync(file, '')
    expect((await failure(openEmbeddedLog({ dataDir: file }))).code).toBe('RISKCTL_DATA_DIR_INVALID')
    const under = await failure(openEmbeddedLog({ dataDir: path.join(file, 'data') }))
    expect(under.code).toMatch(/RISKCTL_DATA_DIR_(INVALID|UNWRITABLE)/)
    expect(under.message).toContain(file)
  })

  it('refuses a corrupt database instead of resetting it', async () => {
    const dataDir = dir()
    await (await openEmbeddedLog({ dataDir })).close()
    fs.writeFileSync(path.join(dataDir, 'log.db'), 'this is not sqlite, and it is not riskctl either'.repeat(100))
    fs.rmSync(path.join(dataDir, 'log.db-wal'), { force: true })
    const error = await failure(openEmbeddedLog({ dataDir }))
    expect(error.code).toBe('RISKCTL_DATA_DIR_INVALID')
    expect(error.message).toContain('log.db')
  })

  it('allows one live consumer per group and takes over from a member whose process died', async () => {
    const dataDir = dir()
    const log = await openEmbeddedLog({ dataDir })
    const spec = testTopic()
    await log.createTopics([spec])
    const first = await log.consumer({ topics: [spec.name], groupId: 'g' })
    expect((await failure(log.consumer({ topics: [spec.name], groupId: 'g' }))).code).toBe('RISKCTL_GROUP_BUSY')
    await first.close()
    const second = await log.consumer({ topics: [spec.name], groupId: 'g' })
    await second.close()

    // A member row left behind by a process that no longer runs is taken over.
    const writer = startWriter({ open: () => openEmbeddedLog({ dataDir }), childEnv: () => ({ RISKCTL_DATA_DIR: dataDir }) }, spec.name, 'x', 1, 1)
    const { pid } = writer
    await writer
    const db = (await import('better-sqlite3')).default(path.join(dataDir, 'log.db'))
    db.prepare("INSERT OR REPLACE INTO group_members VALUES ('g', 'gone', ?, ?, 0)").run(os.hostname(), pid)
    db.close()
    const third = await log.consumer({ topics: [spec.name], groupId: 'g' })
    await third.close()
    await log.close()
  })

  it('refuses a log written in an older format rather than converting it', async () => {
    const dataDir = dir()
    await (await openEmbeddedLog({ dataDir })).close()
    const db = new Database(path.join(dataDir, 'log.db'))
    db.pragma('user_version = 2')
    db.close()
    const error = await failure(openEmbeddedLog({ dataDir }))
    expect(error.code).toBe('RISKCTL_DATA_DIR_INVALID')
    expect(error.message).toMatch(/log format 2; this riskctl reads format \d+/)
  })

  it('drops records past retention.ms and seeks by time on every partition', async () => {
    const log = await openEmbeddedLog({ dataDir: dir() })
    const spec = testTopic({ configs: { 'cleanup.policy': 'delete', 'retention.ms': '60000' } })
    await log.createTopics([spec])
    const now = Date.now()
    // Keys spread over all three partitions, each second of the old hour and the new minute mixed.
    const records = Array.from({ length: 60 }, (_, i) => ({
      key: `k${i}`,
      value: json(i),
      timestamp: i < 30 ? now - 3_600_000 + i * 1000 : now - 30_000 + i * 100,
    }))
    await log.produce(spec.name, records)
    const before = await log.consumer({ topics: [spec.name], from: { type: 'timestamp', timestamp: now - 30_000 } })
    const recent = await drain(before, 30)
    await before.close()
    expect(recent.map((r) => Number(JSON.parse(r.value!.toString()))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, i) => 30 + i),
    )

    const described = await log.describeTopic(spec.name)
    expect(described.records).toBe(30)
    expect(described.partitions.every((p) => p.startOffset <= p.endOffset)).toBe(true)
    const earliest = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
    const kept = await drain(earliest, 30)
    await earliest.close()
    expect(kept.every((r) => r.timestamp >= now - 60_000)).toBe(true)
    expect(kept).toHaveLength(30)
    await log.close()
  })

  it('rejects a keyless record on a compacted topic and an out-of-range partition', async () => {
    const log = await openEmbeddedLog({ dataDir: dir() })
    const compacted = testTopic({ configs: { 'cleanup.policy': 'compact' } })
    await log.createTopics([compacted])
    expect((await failure(log.produce(compacted.name, [{ key: null, value: json(1) }]))).code).toBe(
      'RISKCTL_RECORD_INVALID',
    )
    expect((await failure(log.produce(compacted.name, [{ key: 'k', value: json(1), partition: 7 }]))).code).toBe(
      'RISKCTL_PARTITION_INVALID',
    )
    await log.close()
  })

  it('writes several topics and a group commit in one transaction', async () => {
    const dataDir = dir()
    const log = await openEmbeddedLog({ dataDir })
    const a = testTopic({ partitions: 1 })
    const b = testTopic({ partitions: 1 })
    await log.createTopics([a, b])
    await log.write(
      [
        { topic: a.name, records: [{ key: 'k', value: json(1) }] },
        { topic: b.name, records: [{ key: 'k', value: json(2) }] },
      ],
      { groupId: 'g', offsets: [{ topic: a.name, partition: 0, offset: 1 }] },
    )
    const failed = await failure(
      log.write([
        { topic: a.name, records: [{ key: 'k', value: json(3) }] },
        { topic: 'contract.missing', records: [{ key: 'k', value: json(4) }] },
      ]),
    )
    expect(failed.code).toBe('RISKCTL_TOPIC_NOT_FOUND')
    expect((await log.describeTopic(a.name)).records).toBe(1)
    const resumed = await log.consumer({ topics: [a.name], groupId: 'g', from: { type: 'earliest' } })
    expect(resumed.positions()).toEqual([{ topic: a.name, partition: 0, offset: 1 }])
    await resumed.close()
    await log.close()
  })
})
