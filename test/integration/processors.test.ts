import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { Order } from '../../src/domain/order.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import { jsonRecord } from '../helpers/json-record.js'
import { createRouter } from '../../src/processors/router.js'
import { anOrder } from '../helpers/fixtures.js'
import { AUDIT, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, ORDERS, REFERENCE_PRICES, RISK_LIMITS, TOPICS } from '../../topologies/topics.js'
import { publishCommand } from '../../src/processors/operator-command.js'
import { localOrigin } from '../../src/processors/operator-trail.js'
import { KILL_SWITCH_ONLY } from '../helpers/limits.js'

const order = (id: string, account: string): Order => anOrder({ order_id: id, account_id: account })

const state = (scope: string, status: KillState['status'], extra: Partial<KillState> = {}): KillState => ({
  scope,
  status,
  updated_ts: Date.now(),
  updated_by: 'alice',
  reason: 'drill',
  last_cmd_id: `cmd-${scope}`,
  corr_id: `corr-${scope}`,
  ...extra,
})

describe('processors on a real embedded log', () => {
  let dataDir: string
  let log: EmbeddedLog
  let controller: AbortController
  const runs: Promise<void>[] = []

  beforeEach(async () => {
    controller = new AbortController()
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-proc-'))
    log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
  })
  afterEach(async () => {
    controller.abort()
    await Promise.all(runs.splice(0))
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function readAll<T>(topic: string, count: number): Promise<T[]> {
    const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
    const values: T[] = []
    const deadline = Date.now() + 10_000
    while (values.length < count && Date.now() < deadline) {
      for (const r of await consumer.poll({ maxWaitMs: 100 })) values.push(JSON.parse(r.value!.toString()) as T)
    }
    await consumer.close()
    return values
  }

  it('fails closed: orders waiting before the router starts are judged against the whole state, limits and prices', async () => {
    await log.produce(KILL_STATE, [jsonRecord('ACCOUNT:1', state('ACCOUNT:1', 'KILLED'))])
    await log.produce(REFERENCE_PRICES, [jsonRecord('AAPL', { symbol: 'AAPL', price: 190, ts: Date.now(), source: 'test' })])
    const limits = { scope: 'ACCOUNT:3', limits: { max_order_qty: 5 }, updated_ts: Date.now(), updated_by: 'ops', reason: 'r', last_cmd_id: 'c', corr_id: 'k' }
    await log.produce(RISK_LIMITS, [jsonRecord('ACCOUNT:3', limits)])
    await log.produce(ORDERS, [
      jsonRecord('1', order('o-1', '1')),
      jsonRecord('2', order('o-2', '2')),
      jsonRecord('3', order('o-3', '3')),
      jsonRecord('4', { ...order('o-4', '4'), symbol: 'MSFT' }),
    ])
    const router = createRouter(log)
    runs.push(router.run(controller.signal))
    const audits = await readAll<AuditRecord>(AUDIT, 4)
    const byOrder = new Map(audits.map((a) => [a.order_id, a]))
    expect(byOrder.get('o-1')).toMatchObject({ decision: 'DROP', check: 'KILL_SWITCH', corr_id: 'corr-ACCOUNT:1', scope_matches: ['ACCOUNT:1'] })
    expect(byOrder.get('o-2')).toMatchObject({ decision: 'ALLOW', check: null })
    expect(byOrder.get('o-3')).toMatchObject({ decision: 'DROP', check: 'MAX_ORDER_QTY' })
    expect(byOrder.get('o-4')).toMatchObject({ decision: 'DROP', check: 'NO_REFERENCE_PRICE' })
  })

  it('throttles to the cap per second and marks repeated order ids as duplicates', async () => {
    // The kill switch alone: the same order five times a second is also what DUPLICATIVE drops.
    const router = createRouter(log, { now: () => 1_800_000_000_500, limits: KILL_SWITCH_ONLY })
    await log.produce(KILL_STATE, [jsonRecord('ACCOUNT:7', state('ACCOUNT:7', 'THROTTLED', { max_orders_per_sec: 2 }))])
    runs.push(router.run(controller.signal))
    const orders = Array.from({ length: 5 }, (_, i) => jsonRecord('7', order(`t-${i}`, '7')))
    await log.produce(ORDERS, [...orders, jsonRecord('7', order('t-0', '7'))])
    const audits = await readAll<AuditRecord>(AUDIT, 6)
    // Audit records are keyed by order_id, so they spread over partitions: compare by order.
    const decided = (decision: string) =>
      audits.filter((a) => a.decision === decision).map((a) => a.order_id).sort()
    expect(decided('ALLOW')).toEqual(['t-0', 't-1'])
    expect(decided('DROP')).toEqual(['t-2', 't-3', 't-4'])
    expect(decided('DUPLICATE')).toEqual(['t-0'])
    expect(audits.find((a) => a.order_id === 't-2')!.reason).toContain('THROTTLED: ACCOUNT:7 over 2 orders/s')
  })

  it('applies a replayed command once and refuses an automated UNKILL', async () => {
    const kill: KillCommand = {
      cmd_id: 'c-1',
      ts: Date.now(),
      scope: 'ACCOUNT:5',
      action: 'KILL',
      reason: 'r',
      triggered_by: 'detector',
      corr_id: 'k-1',
    }
    const forged: KillCommand = { ...kill, cmd_id: 'c-2', action: 'UNKILL', corr_id: 'k-2' }
    await log.produce(KILL_COMMANDS, [jsonRecord(kill.scope, kill), jsonRecord(kill.scope, kill), jsonRecord(kill.scope, forged)])
    const aggregator = createAggregator(log)
    runs.push(aggregator.run(controller.signal))
    // All three: which partition a poll reads first depends on how many polls came before, not on the outcome.
    const audits = await readAll<AuditRecord>(AUDIT, 3)
    expect(audits.map((a) => a.decision).sort()).toEqual(['APPLIED', 'DUPLICATE', 'REFUSED'])
    expect(audits.find((a) => a.decision === 'REFUSED')).toMatchObject({ corr_id: 'k-2', killswitch_status: 'KILLED' })
    const states = await readAll<KillState>(KILL_STATE, 1)
    expect(states).toHaveLength(1)
    expect(states[0]).toMatchObject({ status: 'KILLED', last_cmd_id: 'c-1' })
    expect(aggregator.stats).toMatchObject({ applied: 1, duplicates: 1, refused: 1 })
  })

  async function auditOf(on: EmbeddedLog, corrId: string): Promise<AuditRecord> {
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const consumer = await on.consumer({ topics: [AUDIT], from: { type: 'earliest' } })
      const found = (await consumer.poll({ maxWaitMs: 100, maxRecords: 10_000 }))
        .map((r) => JSON.parse(r.value!.toString()) as AuditRecord)
        .find((a) => a.corr_id === corrId)
      await consumer.close()
      if (found) return found
    }
    throw new Error(`no audit of ${corrId} within 10 s`)
  }

  const command = (action: KillCommand['action'], corr: string, scope = 'ACCOUNT:7'): KillCommand => ({
    cmd_id: `cmd-${corr}`,
    ts: Date.now(),
    scope,
    action,
    reason: 'voucher test',
    triggered_by: 'operator',
    operator: 'sasl:alice',
    corr_id: corr,
  })

  it('refuses a raw UNKILL written to the commands topic alone and applies the one the operator channel sent', async () => {
    runs.push(createAggregator(log).run(controller.signal))
    await publishCommand(log, command('KILL', 'k-1'), localOrigin('cli'))
    expect((await auditOf(log, 'k-1')).decision).toBe('APPLIED')
    // As the detector's principal (or `riskctl produce`) could write it: a well-formed UNKILL with nothing behind it.
    await log.produce(KILL_COMMANDS, [jsonRecord('ACCOUNT:7', command('UNKILL', 'u-raw'))])
    const refused = await auditOf(log, 'u-raw')
    expect(refused.decision).toBe('REFUSED')
    expect(refused.reason).toContain('no ALLOWED entry for cmd_id cmd-u-raw (UNKILL ACCOUNT:7 by sasl:alice) in the operator-action trail')
    await publishCommand(log, command('UNKILL', 'u-1'), localOrigin('cli'))
    expect((await auditOf(log, 'u-1')).decision).toBe('APPLIED')
    const state = (await log.readCompacted(KILL_STATE)).records.get('ACCOUNT:7')
    expect(JSON.parse(state!.value!.toString())).toMatchObject({ status: 'ACTIVE', last_cmd_id: 'cmd-u-1' })
  })

  it('on a log without the trail topic, still applies a KILL and refuses an UNKILL, saying the trail could not be read', async () => {
    const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-no-trail-'))
    const bare = await openEmbeddedLog({ dataDir: bareDir })
    const stop = new AbortController()
    try {
      await bare.createTopics(TOPICS.filter((topic) => topic.name !== OPERATOR_ACTIONS))
      const aggregator = createAggregator(bare)
      const run = aggregator.run(stop.signal)
      await bare.produce(KILL_COMMANDS, [jsonRecord('ACCOUNT:7', command('KILL', 'k-2'))])
      expect((await auditOf(bare, 'k-2')).decision).toBe('APPLIED')
      await bare.produce(KILL_COMMANDS, [jsonRecord('ACCOUNT:7', command('UNKILL', 'u-2'))])
      expect((await auditOf(bare, 'u-2')).reason).toMatch(/the trail could not be read \(.*operator_actions\.v1/)
      // And it goes on: the next KILL is applied, nothing stuck behind the unreadable trail.
      await bare.produce(KILL_COMMANDS, [jsonRecord('ACCOUNT:8', command('KILL', 'k-3', 'ACCOUNT:8'))])
      expect((await auditOf(bare, 'k-3')).decision).toBe('APPLIED')
      expect(aggregator.stats).toMatchObject({ applied: 2, refused: 1 })
      stop.abort()
      await run
    } finally {
      stop.abort()
      await bare.close()
      fs.rmSync(bareDir, { recursive: true, force: true })
    }
  })
})
