import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import { LogError } from '../../src/log/errors.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import type { EventLog, GroupCommit, TopicBatch } from '../../src/log/port.js'
import { createRouter } from '../../src/processors/router.js'
import { KILL_SWITCH_ONLY } from '../helpers/limits.js'
import { loadLimitsTopology } from '../../src/config/limits-topology.js'
import { anOrder } from '../helpers/fixtures.js'
import { jsonRecord } from '../helpers/json-record.js'
import { AUDIT, KILL_STATE, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_SIGNALS, TOPICS } from '../../topologies/topics.js'

/**
 * A router whose writes are slow decides what comes next while they are under way. These tests make every write
 * slow and some fail: nothing written may be lost or doubled,
 * no order may come back as a DUPLICATE of itself, and a killed account's orders stay dropped.
 */
const ORDERS_SENT = 3000
const KILLED = 'acct-killed'

/** The log as it is, but each write waits a little and the listed writes (1-based) fail after waiting. */
function slowAndFailing(log: EventLog, failing: ReadonlySet<number>, retriable: boolean): EventLog & { writes: number } {
  let writes = 0
  const wrapper = Object.create(log) as EventLog & { writes: number }
  Object.defineProperty(wrapper, 'writes', { get: () => writes })
  wrapper.write = async (batches: readonly TopicBatch[], commit?: GroupCommit) => {
    writes += 1
    const n = writes
    await new Promise((resolve) => setTimeout(resolve, 3))
    if (failing.has(n)) throw new LogError('RISKCTL_LOG_FAILURE', `write ${n} failed`, { retriable })
    return log.write(batches, commit)
  }
  return wrapper
}

describe('the router under slow and failing writes', () => {
  const dirs: string[] = []
  const logs: EmbeddedLog[] = []
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close()
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  async function freshLog(): Promise<EmbeddedLog> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-router-writes-'))
    dirs.push(dir)
    const log = await openEmbeddedLog({ dataDir: dir })
    logs.push(log)
    await log.createTopics(TOPICS)
    await log.produce(KILL_STATE, [
      jsonRecord(`ACCOUNT:${KILLED}`, {
        scope: `ACCOUNT:${KILLED}`,
        status: 'KILLED',
        updated_ts: Date.now(),
        updated_by: 'alice',
        reason: 'drill',
        last_cmd_id: 'c1',
        corr_id: 'k1',
      }),
    ])
    const orders = Array.from({ length: ORDERS_SENT }, (_, i) => {
      const account = i % 7 === 0 ? KILLED : `acct-${i % 50}`
      return jsonRecord(account, anOrder({ order_id: `o-${i}`, account_id: account }))
    })
    for (let i = 0; i < orders.length; i += 250) await log.produce(ORDERS, orders.slice(i, i + 250))
    return log
  }

  async function audits(log: EmbeddedLog): Promise<AuditRecord[]> {
    return (await readValues(log, AUDIT)) as unknown as AuditRecord[]
  }

  async function readValues(log: EmbeddedLog, topic: string): Promise<Record<string, unknown>[]> {
    const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
    const values: Record<string, unknown>[] = []
    for (let batch = await consumer.poll({ maxRecords: 10_000, maxWaitMs: 0 }); batch.length > 0; batch = await consumer.poll({ maxRecords: 10_000, maxWaitMs: 0 })) {
      for (const record of batch) values.push(JSON.parse(record.value!.toString()) as Record<string, unknown>)
    }
    await consumer.close()
    return values
  }

  async function gatedCount(log: EmbeddedLog): Promise<number> {
    const description = await log.describeTopic(ORDERS_GATED)
    return description.records
  }

  async function route(log: EventLog, until: (router: ReturnType<typeof createRouter>) => boolean): Promise<ReturnType<typeof createRouter>> {
    const controller = new AbortController()
    const router = createRouter(log, { maxBatch: 100, limits: KILL_SWITCH_ONLY })
    const run = router.run(controller.signal)
    const deadline = Date.now() + 60_000
    while (!until(router) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort()
    await run
    return router
  }

  function expectEachOrderOnce(records: readonly AuditRecord[]): void {
    const ids = records.map((audit) => audit.order_id)
    expect(new Set(ids).size).toBe(ORDERS_SENT)
    expect(ids).toHaveLength(ORDERS_SENT)
    expect(records.filter((audit) => audit.decision === 'DUPLICATE')).toEqual([])
    for (const audit of records) expect(audit.decision).toBe(audit.account_id === KILLED ? 'DROP' : 'ALLOW')
  }

  it('writes every batch once, in order, when every write is slow', async () => {
    const log = await freshLog()
    const router = await route(slowAndFailing(log, new Set(), true), (r) => r.stats.ordersIn >= ORDERS_SENT)
    expect(router.stats.ordersIn).toBe(ORDERS_SENT)
    const written = await audits(log)
    expectEachOrderOnce(written)
    expect(await gatedCount(log)).toBe(written.filter((a) => a.decision === 'ALLOW').length)
    // An account's orders were decided in the order they were sent: no batch overtook the one before it.
    const account = written.filter((a) => a.account_id === 'acct-1').sort((a, b) => Number(a.order_id.slice(2)) - Number(b.order_id.slice(2)))
    expect(account.length).toBeGreaterThan(40)
    expect(account.map((a) => a.ts)).toEqual(account.map((a) => a.ts).sort((a, b) => a - b))
  })

  it('takes back the batch decided meanwhile when a write fails, and decides both again once', async () => {
    // Transient failures: each ends the attempt, which starts again from the group's commit.
    const log = await freshLog()
    const flaky = slowAndFailing(log, new Set([3, 4, 9, 15]), true)
    const router = await route(flaky, (r) => r.stats.ordersIn >= ORDERS_SENT)
    expect(router.stats.ordersIn).toBe(ORDERS_SENT)
    expect(router.connectivity.reconnects).toBeGreaterThanOrEqual(3)
    const written = await audits(log)
    expectEachOrderOnce(written)
    expect(await gatedCount(log)).toBe(written.filter((a) => a.decision === 'ALLOW').length)
  })

  it('with every check on, a failed write takes back what the checks spent: the orders read again are judged afresh', async () => {
    const log = await freshLog()
    await log.produce(REFERENCE_PRICES, [jsonRecord('AAPL', { symbol: 'AAPL', price: 190, ts: Date.now(), source: 'test' })])
    // One account sends every order, each different, its credit limit exactly their notional, and a duplicative
    // window of an hour: a spend left over from a failed write makes an order read again DUPLICATIVE of itself, or
    // takes the account past its limit.
    const account = 'acct-credit'
    const prices = Array.from({ length: 600 }, (_, i) => 185 + i / 100)
    const credit = prices.reduce((sum, price) => sum + price, 0)
    const orders = prices.map((price, i) => jsonRecord(account, anOrder({ order_id: `c-${i}`, account_id: account, qty: 1, price })))
    for (let i = 0; i < orders.length; i += 100) await log.produce(ORDERS, orders.slice(i, i + 100))
    const shipped = loadLimitsTopology()
    const limits = { ...shipped, duplicativeWindowMs: 3_600_000, defaults: { ...shipped.defaults, credit_limit: credit, message_rate: 1_000_000 } }
    const controller = new AbortController()
    const router = createRouter(slowAndFailing(log, new Set(Array.from({ length: 20 }, (_, i) => 3 * (i + 1))), true), { maxBatch: 100, limits })
    const run = router.run(controller.signal)
    const total = ORDERS_SENT + orders.length
    const deadline = Date.now() + 60_000
    while (router.stats.ordersIn < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    controller.abort()
    await run
    expect(router.connectivity.reconnects).toBeGreaterThanOrEqual(3)
    const mine = (await audits(log)).filter((audit) => audit.account_id === account)
    expect(new Set(mine.map((audit) => audit.order_id)).size).toBe(orders.length)
    expect(mine.filter((audit) => audit.decision !== 'ALLOW').map((audit) => audit.reason)).toEqual([])
    // The credit ladder's warnings went out with the decisions that crossed each step: once each, however often a
    // write that held one failed and its orders were decided again.
    const signals = await readValues(log, RISK_SIGNALS)
    expect(signals.map((signal) => [signal.account_id, signal.percent])).toEqual([
      [account, 50],
      [account, 75],
      [account, 90],
    ])
  })

  it('stops on a failure that is not transient, leaving nothing half written', async () => {
    const log = await freshLog()
    const controller = new AbortController()
    const router = createRouter(slowAndFailing(log, new Set([5]), false), { maxBatch: 100, limits: KILL_SWITCH_ONLY })
    await expect(router.run(controller.signal)).rejects.toThrow('write 5 failed')
    const written = await audits(log)
    // What was written before the failure is whole: one audit per order below the group's committed positions,
    // and nothing of the writes that failed or never started.
    const committed = await log.committedOffsets('riskctl-router', ORDERS)
    const below = committed.reduce((sum, p) => sum + p.offset, 0)
    expect(below).toBeGreaterThan(0)
    expect(below).toBeLessThan(ORDERS_SENT)
    expect(written).toHaveLength(below)
    expect(new Set(written.map((a) => a.order_id)).size).toBe(below)
    expect(router.stats.ordersIn).toBe(below)
  })
})
