import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { EventLog } from '../../src/log/port.js'
import { AUDIT, ORDERS } from '../../topologies/topics.js'
import { createTempDir, runCli } from '../helpers/cli.js'
import {
  createRiskctlTopics,
  openTestLog,
  order,
  orderRecord,
  readAll,
  resetRiskctlTopics,
  restartBrokerKeepingData,
  sleep,
  startUpOnKafka,
  stopProcess,
  waitFor,
  type RunningProcess,
} from './support.js'

describe('faults: the broker goes away', { timeout: 300_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let up: RunningProcess | undefined

  beforeEach(async () => {
    dir = await createTempDir()
  })
  afterEach(async () => {
    await stopProcess(up)
    up = undefined
    await dir.remove()
  })

  it('`riskctl up` against an address where no broker answers exits within 10 s, naming it', async () => {
    const started = Date.now()
    const result = await runCli(['up', '--brokers', '127.0.0.1:1', '--only', 'router'], {
      dataDir: path.join(dir.path, 'data'),
      timeoutMs: 30_000,
    })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('Cannot reach the Kafka broker(s) at 127.0.0.1:1')
  })

  it('a broker stop and start mid-flow: up says "reconnecting", recovers alone, and every acknowledged order gets exactly one audit', async () => {
    await resetRiskctlTopics()
    await createRiskctlTopics()
    up = await startUpOnKafka(path.join(dir.path, 'data'), ['--only', 'aggregator,router'])

    const attempted = new Set<string>()
    const acknowledged = new Set<string>()
    let flowing = true
    // A client that produces all along: what the broker acknowledged must be decided once.
    const flow = (async () => {
      let log: EventLog | undefined
      for (let batch = 0; flowing; batch += 1) {
        const ids = Array.from({ length: 10 }, (_, i) => `fault-${batch}-${i}`)
        try {
          log ??= await openTestLog()
          ids.forEach((id) => attempted.add(id))
          await log.produce(
            ORDERS,
            ids.map((id, i) => orderRecord(order(id, `acct-${i}`))),
          )
          ids.forEach((id) => acknowledged.add(id))
        } catch {
          await log?.close().catch(() => undefined)
          log = undefined
        }
        await sleep(100)
      }
      await log?.close()
    })()

    await waitFor('orders decided before the outage', () =>
      /orders in [1-9]/.test(up!.lastStatus()) ? true : undefined,
    )
    const before = acknowledged.size
    await restartBrokerKeepingData(async () => {
      await waitFor('the status line to say reconnecting', () =>
        up!.lastStatus().includes('reconnecting') ? true : undefined,
      )
      await sleep(2000)
    })
    await waitFor(
      'the status line to recover',
      () => {
        const line = up!.lastStatus()
        return line.includes('●') && !line.includes('reconnecting') ? true : undefined
      },
      120_000,
    )
    await sleep(3000)
    flowing = false
    await flow
    expect(acknowledged.size).toBeGreaterThan(before)
    expect(up.process.exitCode).toBeNull()

    const audits = await waitFor(
      'an audit record for every acknowledged order',
      async () => {
        const records = (await readAll<AuditRecord>(AUDIT)).filter((audit) => audit.service === 'router')
        const ids = new Set(records.map((audit) => audit.order_id))
        return [...acknowledged].every((id) => ids.has(id)) ? records : undefined
      },
      120_000,
    )
    const decided = audits.map((audit) => audit.order_id)
    expect(new Set(decided).size).toBe(decided.length)
    // Some unacknowledged produces may still have landed; nothing else may appear.
    expect(decided.filter((id) => !attempted.has(id))).toEqual([])
    expect(audits.every((audit) => audit.decision === 'ALLOW')).toBe(true)

    up.process.kill('SIGTERM')
    const ended = await up.process
    expect(ended.exitCode).toBe(0)
    expect(up.stderr()).toContain('stopped cleanly')
  })
})
