import { localOrigin } from '../../src/processors/operator-trail.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { Consumer, EventLog, LogRecord, TopicPartitionOffset } from '../../src/log/port.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import { createRouter, type Router } from '../../src/processors/router.js'
import { KILL_SWITCH_ONLY } from '../helpers/limits.js'
import { requestKillSwitch } from '../../src/services/kill-switch.js'
import { ROUTER_GROUP } from '../../topologies/groups.js'
import { AUDIT, KILL_STATE, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import { createRiskctlTopics, openTestLog, order, orderRecord, readAll, resetRiskctlTopics, sleep, waitFor } from './support.js'

/**
 * The router decides a batch while the batches before it are still being written (RouterWrites). These run
 * it on the broker where that could go wrong: a kill must still govern every order sent after it was
 * confirmed, and a write that fails with decisions queued behind it must leave each order decided once.
 */
describe('the router on Kafka, deciding ahead of its writes', { timeout: 240_000 }, () => {
  const opened: EventLog[] = []
  let stop: AbortController
  const running: Promise<void>[] = []

  async function open(): Promise<EventLog> {
    const log = await openTestLog()
    opened.push(log)
    return log
  }

  beforeEach(async () => {
    stop = new AbortController()
    await resetRiskctlTopics()
    await createRiskctlTopics()
  })
  afterEach(async () => {
    stop.abort()
    await Promise.allSettled(running.splice(0))
    for (const log of opened.splice(0)) await log.close()
  })

  /** Orders for a few accounts every few milliseconds, so the router always has a batch deciding and one writing. */
  function flow(log: EventLog, prefix: string): { stop: () => Promise<string[]> } {
    const sent: string[] = []
    let flowing = true
    const loop = (async () => {
      for (let n = 0; flowing; n += 1) {
        // Two accounts on each of the three partitions of orders.v1 (murmur2 of the key).
        const accounts = ['busy-0', 'busy-1', 'busy-4', 'busy-5', 'busy-6', 'busy-12']
        const ids = accounts.map((a) => `${prefix}-${n}-${a}`)
        await log.produce(ORDERS, ids.map((id, a) => orderRecord(order(id, accounts[a]!))))
        sent.push(...ids)
        await sleep(10)
      }
    })()
    return {
      stop: async () => {
        flowing = false
        await loop
        return sent
      },
    }
  }

  it('drops an order sent after its kill was confirmed, with the router mid-write and its state reader 300 ms behind', async () => {
    // Given an aggregator, and a router whose writes take 150 ms and whose reader of the state topic hands
    // records on only 300 ms after they arrive: the orders topic runs far ahead of the state it reads.
    const log = await open()
    const audits: AuditRecord[] = []
    const router = createRouter(slowed(await open(), { stateLagMs: 300, writeDelayMs: 150 }), {
      limits: KILL_SWITCH_ONLY,
      onBatch: (batch) => audits.push(...batch),
    })
    running.push(createAggregator(log).run(stop.signal), router.run(stop.signal))
    await waitFor('the router', () => router.stats.ready || undefined)
    const orders = flow(log, 'busy')
    await waitFor('the flow decided', () => (audits.length > 30 ? true : undefined))

    for (let round = 0; round < 8; round += 1) {
      // When an operator's KILL is confirmed and an order of that account is sent right after…
      const account = `target-${round}`
      const outcome = await requestKillSwitch(log, { scope: `ACCOUNT:${account}`, action: 'KILL', reason: 'runaway', operator: 'local:alice' }, { wait: true, origin: localOrigin('cli') })
      expect(outcome.outcome).toBe('confirmed')
      await log.produce(ORDERS, [orderRecord(order(`after-${round}`, account))])
      // …then that order is dropped, whatever the router was doing when it came.
      const audit = await waitFor(`the decision on after-${round}`, () => audits.find((a) => a.order_id === `after-${round}`))
      expect(audit).toMatchObject({ decision: 'DROP', killswitch_status: 'KILLED' })
    }

    // And every order was decided once.
    const sent = await orders.stop()
    await waitFor('every order decided', () => (sent.every((id) => audits.some((a) => a.order_id === id)) ? true : undefined))
    expect(new Set(audits.map((a) => a.order_id)).size).toBe(audits.length)
  })

  it('rebalances with decisions waiting to be written: every order is decided once, none lost', async () => {
    // Given a router whose writes take 200 ms, so that decisions queue behind each one.
    const log = await open()
    const first = createRouter(slowed(await open(), { stateLagMs: 0, writeDelayMs: 200 }), { limits: KILL_SWITCH_ONLY })
    running.push(first.run(stop.signal))
    await waitFor('the first router', () => first.stats.ready || undefined)
    const orders = flow(log, 'rebalance')
    await waitFor('decisions under way', () => (first.stats.ordersIn > 50 ? true : undefined))

    // When a second router joins the group mid-flow and leaves again, the first's queued decisions cannot be
    // committed, twice.
    const leaving = new AbortController()
    const second: Router = createRouter(await open(), { limits: KILL_SWITCH_ONLY })
    const secondRun = second.run(leaving.signal)
    running.push(secondRun)
    await waitFor('the second router deciding', () => (second.stats.ordersIn > 0 ? true : undefined))
    await sleep(500)
    leaving.abort()
    await secondRun
    const decidedBefore = first.stats.ordersIn
    await waitFor('the first router deciding all partitions again', () => (first.stats.ordersIn > decidedBefore + 50 ? true : undefined))
    const sent = await orders.stop()

    // Then the audit trail and the forwarded orders hold each order exactly once.
    const decided = await waitFor('every order audited', async () => {
      const ids = (await readAll<AuditRecord>(AUDIT)).map((a) => a.order_id)
      return sent.every((id) => ids.includes(id)) ? ids : undefined
    })
    expect(decided).toHaveLength(sent.length)
    expect(new Set(decided).size).toBe(sent.length)
    const forwarded = (await readAll<{ order_id: string }>(ORDERS_GATED)).map((o) => o.order_id)
    expect(forwarded.sort()).toEqual([...sent].sort())
    expect(first.stats.ordersIn + second.stats.ordersIn).toBe(sent.length)
  })
})

/**
 * The log as the router would meet it on a slow day: its reader of the state topic hands records (and the
 * positions past them) on only `stateLagMs` after it had them, and its writes start `writeDelayMs` late.
 */
function slowed(log: EventLog, { stateLagMs, writeDelayMs }: { stateLagMs: number; writeDelayMs: number }): EventLog {
  return {
    description: log.description,
    createTopics: (specs) => log.createTopics(specs),
    listTopics: () => log.listTopics(),
    describeTopic: (topic) => log.describeTopic(topic),
    produce: (topic, records) => log.produce(topic, records),
    write: async (batches, commit) => {
      if (commit?.groupId === ROUTER_GROUP) await sleep(writeDelayMs)
      return log.write(batches, commit)
    },
    consumer: async (options) => {
      const consumer = await log.consumer(options)
      return options.groupId === undefined && options.topics.includes(KILL_STATE) ? lagging(consumer, stateLagMs) : consumer
    },
    endOffsets: (topics) => log.endOffsets(topics),
    readCompacted: (topic) => log.readCompacted(topic),
    committedOffsets: (group, topic) => log.committedOffsets(group, topic),
    prepareCommit: async (commit) => log.prepareCommit?.(commit),
    close: () => log.close(),
  }
}

function lagging(inner: Consumer, lagMs: number): Consumer {
  const held: { atMs: number; records: LogRecord[]; positions: readonly TopicPartitionOffset[] }[] = []
  let released = inner.positions()
  return {
    async poll(options = {}) {
      const deadline = Date.now() + (options.maxWaitMs ?? 100)
      for (;;) {
        held.push({ atMs: Date.now(), records: await inner.poll({ maxRecords: 5000, maxWaitMs: 0 }), positions: inner.positions() })
        const due = held.filter((entry) => entry.atMs <= Date.now() - lagMs)
        held.splice(0, due.length)
        if (due.length > 0) released = due.at(-1)!.positions
        const records = due.flatMap((entry) => entry.records)
        if (records.length > 0 || Date.now() >= deadline) return records
        await sleep(5)
      }
    },
    positions: () => released,
    endOffsets: () => inner.endOffsets(),
    commit: (positions) => inner.commit(positions),
    close: () => inner.close(),
  }
}
