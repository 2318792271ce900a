import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aggregateEvent } from '../../src/lambda/aggregator.js'
import { authorise } from '../../src/lambda/authorizer.js'
import { toInjectRequest } from '../../src/lambda/http-event.js'
import { emfLine } from '../../src/lambda/metrics.js'
import type { MskEvent } from '../../src/lambda/msk-event.js'
import { routeEvent } from '../../src/lambda/router.js'
import { auditItem } from '../../src/lambda/table-items.js'
import { auditIndexSink, stateCacheSink, type BatchWrite } from '../../src/lambda/table-sink.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { buildOperatorCommand } from '../../src/processors/operator-command.js'
import { allowedAction, localOrigin } from '../../src/processors/operator-trail.js'
import { buildApprovalCommand } from '../../src/processors/approval-request.js'
import type { ApprovalRecord } from '../../src/domain/approval.js'
import type { CommandRecord } from '../../src/contracts/commands.js'
import { anOrder } from '../helpers/fixtures.js'
import { mskEvent } from '../helpers/msk-event.js'
import { APPROVALS, AUDIT, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS, RISK_SIGNALS, TOPICS } from '../../topologies/topics.js'
import type { CreditWarningSignal } from '../../src/domain/risk-signal.js'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'
import { encode } from '../../src/processors/topic-codec.js'

const noIndex = { putAudits: async () => undefined }
const noCache = { putStates: async () => undefined }

describe('the Lambda handlers run the in-process processors over one batch', () => {
  let dataDir: string
  let log: EmbeddedLog

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-lambda-'))
    log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    // The collar's reference for the fixtures' symbol: without one the router drops every order (NO_REFERENCE_PRICE).
    await log.produce(REFERENCE_PRICES, [encode(REFERENCE_PRICES, { symbol: 'AAPL', price: 190, ts: Date.now(), source: 'test' })])
  })
  afterEach(async () => {
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function values<T>(topic: string): Promise<T[]> {
    const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
    const end = await consumer.endOffsets()
    const out: T[] = []
    const total = end.reduce((sum, p) => sum + p.offset, 0)
    while (out.length < total)
      for (const r of await consumer.poll({ maxWaitMs: 50 })) out.push(JSON.parse(r.value!.toString()) as T)
    await consumer.close()
    return out
  }

  it('kill, route, unkill, route: the lifecycle end to end, batch by batch', async () => {
    const kill = buildOperatorCommand({
      scope: 'ACCOUNT:12345',
      action: 'KILL',
      reason: 'runaway',
      operator: 'alice',
    })
    const cached: KillState[] = []
    const killed = await aggregateEvent(
      mskEvent(KILL_COMMANDS, [kill]),
      log,
      { putStates: async (s) => void cached.push(...s) },
      10_000,
    )
    expect(killed.applied.map(([state]) => state.status)).toEqual(['KILLED'])
    expect(cached.map((s) => s.scope)).toEqual(['ACCOUNT:12345'])

    const orders = [
      anOrder({ order_id: 'a', account_id: '12345' }),
      anOrder({ order_id: 'b', account_id: '10001' }),
      'not json',
    ]
    const indexed: AuditRecord[] = []
    const routed = await routeEvent(
      mskEvent(ORDERS, orders),
      log,
      { putAudits: async (a) => void indexed.push(...a) },
      10_000,
    )
    expect(routed.audits.map((a) => [a.order_id, a.decision])).toEqual([
      ['a', 'DROP'],
      ['b', 'ALLOW'],
    ])
    expect(routed.audits[0]!.corr_id).toBe(kill.corr_id)
    expect(indexed).toHaveLength(2)
    expect((await values<{ order_id: string }>(ORDERS_GATED)).map((o) => o.order_id)).toEqual(['b'])

    const unkill = buildOperatorCommand({
      scope: 'ACCOUNT:12345',
      action: 'UNKILL',
      reason: 'fixed',
      operator: 'alice',
    })
    // Delivered with nothing in the operator-action trail behind it: a raw write, refused; the kill stands.
    const unvouched = await aggregateEvent(mskEvent(KILL_COMMANDS, [{ ...unkill, cmd_id: 'raw-1' }], 1), log, noCache, 10_000)
    expect(unvouched.applied).toEqual([])
    await log.produce(OPERATOR_ACTIONS, [encode(OPERATOR_ACTIONS, allowedAction(unkill, localOrigin('cli')), { timestamp: unkill.ts })])
    await aggregateEvent(mskEvent(KILL_COMMANDS, [unkill], 2), log, noCache, 10_000)
    const again = await routeEvent(
      mskEvent(ORDERS, [anOrder({ order_id: 'c', account_id: '12345' })], 3),
      log,
      noIndex,
      10_000,
    )
    expect(again.audits.map((a) => [a.order_id, a.decision, a.corr_id])).toEqual([
      ['c', 'ALLOW', unkill.corr_id],
    ])

    const audits = await values<AuditRecord>(AUDIT)
    expect(audits.filter((a) => a.service === 'router').map((a) => a.order_id).sort()).toEqual(['a', 'b', 'c'])
    // The aggregator's audit of each command, with its corr_id: KILL then UNKILL, both applied.
    // Keyed by cmd_id, so in no particular order across partitions.
    const outcomes = audits.filter((a) => a.service === 'aggregator').map((a) => `${a.decision} ${a.corr_id}`)
    expect(outcomes.sort()).toEqual([`APPLIED ${kill.corr_id}`, `REFUSED ${unkill.corr_id}`, `APPLIED ${unkill.corr_id}`].sort())
    expect((await values<KillState>(KILL_STATE)).map((s) => s.status)).toEqual(['KILLED', 'ACTIVE'])
  })

  it('holds an UNKILL for a second supervisor when the policy says so, and applies it on their APPROVE', async () => {
    const policy = { unkill: true, timeoutMs: 15 * 60_000 }
    // Each command delivered as the operator channel writes it: with its ALLOWED entry in the trail.
    let offset = 0
    const deliver = async (command: CommandRecord) => {
      await log.produce(OPERATOR_ACTIONS, [encode(OPERATOR_ACTIONS, allowedAction(command, localOrigin('cli')), { timestamp: command.ts })])
      return aggregateEvent(mskEvent(KILL_COMMANDS, [command], offset++), log, noCache, 10_000, policy)
    }
    const scope = 'ACCOUNT:4eyes'
    await deliver(buildOperatorCommand({ scope, action: 'KILL', reason: 'runaway', operator: 'sasl:alice' }))
    const unkill = buildOperatorCommand({ scope, action: 'UNKILL', reason: 'fixed', operator: 'sasl:alice' })
    expect((await deliver(unkill)).applied).toEqual([])
    const held = (await values<ApprovalRecord>(APPROVALS)).find((r) => r.request_id === unkill.cmd_id)
    expect(held).toMatchObject({ status: 'PENDING', requested_by: 'sasl:alice', corr_id: unkill.corr_id })
    // The asker cannot approve their own request; a second person can.
    expect((await deliver(buildApprovalCommand(held!, 'APPROVE', 'sasl:alice', 'mine'))).applied).toEqual([])
    const approved = await deliver(buildApprovalCommand(held!, 'APPROVE', 'sasl:bob', 'checked'))
    expect(approved.applied.map(([state]) => [state.scope, state.status])).toEqual([[scope, 'ACTIVE']])
    expect((await values<ApprovalRecord>(APPROVALS)).filter((r) => r.request_id === unkill.cmd_id).at(-1)).toMatchObject({ status: 'APPROVED' })
  })

  it('a batch delivered again is decided once, and a batch overlapping it only past what was decided', async () => {
    const orders = [
      anOrder({ order_id: 'p', account_id: '10001' }),
      anOrder({ order_id: 'q', account_id: '10002' }),
    ]
    const first = await routeEvent(mskEvent(ORDERS, orders), log, noIndex, 10_000)
    expect(first).toMatchObject({ orders: 2, redelivered: 0 })
    expect(await routeEvent(mskEvent(ORDERS, orders), log, noIndex, 10_000)).toEqual({
      orders: 2,
      redelivered: 2,
      audits: [],
      creditWarnings: [],
    })
    const more = [...orders, anOrder({ order_id: 'r', account_id: '10003' })]
    const overlapping = await routeEvent(mskEvent(ORDERS, more), log, noIndex, 10_000)
    expect(overlapping.redelivered).toBe(2)
    expect(overlapping.audits.map((a) => a.order_id)).toEqual(['r'])
    expect((await values<AuditRecord>(AUDIT)).map((a) => a.order_id).sort()).toEqual(['p', 'q', 'r'])
    expect((await values<{ order_id: string }>(ORDERS_GATED)).map((o) => o.order_id).sort()).toEqual([
      'p',
      'q',
      'r',
    ])
  })

  it('a delivery that failed at the audit index is repaired by the next one, from audit.v1', async () => {
    const orders = [
      anOrder({ order_id: 'x1', account_id: '10001' }),
      anOrder({ order_id: 'x2', account_id: '10002' }),
    ]
    const throttled = {
      putAudits: async () => {
        throw new Error('the audit index is throttled')
      },
    }
    await expect(routeEvent(mskEvent(ORDERS, orders), log, throttled, 10_000)).rejects.toThrow(/throttled/)

    const indexed: AuditRecord[] = []
    const again = await routeEvent(
      mskEvent(ORDERS, orders),
      log,
      { putAudits: async (a) => void indexed.push(...a) },
      10_000,
    )
    expect(again).toEqual({ orders: 2, redelivered: 2, audits: [], creditWarnings: [] })
    expect(indexed.map((a) => [a.order_id, a.decision]).sort()).toEqual([
      ['x1', 'ALLOW'],
      ['x2', 'ALLOW'],
    ])
    // Decided once: the repair reads the topic, it does not decide again
    expect((await values<AuditRecord>(AUDIT)).map((a) => a.order_id).sort()).toEqual(['x1', 'x2'])
  })

  it('an empty batch does nothing and returns at once', async () => {
    const empty: MskEvent = { eventSource: 'aws:kafka', eventSourceArn: 'x', records: {} }
    expect(await routeEvent(empty, log, noIndex, 1000)).toEqual({ orders: 0, redelivered: 0, audits: [], creditWarnings: [] })
  })

  it('runs every pre-trade check: a limit read from risk_limits.v1, no reference price, credit counted across deliveries', async () => {
    const limits: LimitsRecord = {
      scope: 'ACCOUNT:10001',
      limits: { max_order_qty: 50, credit_limit: 20_000 },
      updated_ts: Date.now(),
      updated_by: 'ops',
      reason: 'test',
      last_cmd_id: 'c1',
      corr_id: 'k1',
    }
    await log.produce(RISK_LIMITS, [encode(RISK_LIMITS, limits)])
    const first = await routeEvent(
      mskEvent(ORDERS, [
        anOrder({ order_id: 'big', account_id: '10001', qty: 51 }),
        anOrder({ order_id: 'unpriced', account_id: '10001', symbol: 'MSFT', qty: 10 }),
        anOrder({ order_id: 'spend', account_id: '10001', qty: 50, price: 190 }),
      ]),
      log,
      noIndex,
      10_000,
    )
    // 50 × 190 = 9,500 of the 20,000 spent; each later delivery is a fresh handler that rebuilds the day's credit.
    const second = await routeEvent(
      mskEvent(ORDERS, [anOrder({ order_id: 'fits', account_id: '10001', qty: 50, price: 189 })], 3),
      log,
      noIndex,
      10_000,
    )
    const third = await routeEvent(
      mskEvent(ORDERS, [anOrder({ order_id: 'too-far', account_id: '10001', qty: 50, price: 188 })], 4),
      log,
      noIndex,
      10_000,
    )
    const decided = [...first.audits, ...second.audits, ...third.audits].map((a) => `${a.order_id}:${a.decision}:${a.check ?? '-'}`)
    expect(decided).toEqual([
      'big:DROP:MAX_ORDER_QTY',
      'unpriced:DROP:NO_REFERENCE_PRICE',
      'spend:ALLOW:-',
      'fits:ALLOW:-',
      'too-far:DROP:CREDIT_LIMIT',
    ])
    // `fits` took the account from 47.5% to 94.75% of its line: one warning, the highest step it passed, written
    // with the decision on risk_signals.v1 (the handler's metrics count it as CreditWarning_90).
    expect(first.creditWarnings).toEqual([])
    expect(second.creditWarnings.map((w) => [w.account_id, w.percent, w.used_notional])).toEqual([['10001', 90, 18_950]])
    expect((await values<CreditWarningSignal>(RISK_SIGNALS)).map((w) => [w.signal, w.percent])).toEqual([['CREDIT_WARNING', 90]])
  })

  it('each delivery starts from what earlier ones let through: the same order again within the window is DUPLICATIVE', async () => {
    const same = { account_id: '10002', symbol: 'AAPL', side: 'BUY' as const, qty: 7, price: 190.5 }
    const first = await routeEvent(mskEvent(ORDERS, [anOrder({ order_id: 'd1', ...same })]), log, noIndex, 10_000)
    // A fresh handler's state, as a new container's or the next delivery's: it reads orders.gated.v1 back.
    const second = await routeEvent(mskEvent(ORDERS, [anOrder({ order_id: 'd2', ...same })], 1), log, noIndex, 10_000)
    expect([...first.audits, ...second.audits].map((a) => `${a.order_id}:${a.decision}:${a.check ?? '-'}`)).toEqual([
      'd1:ALLOW:-',
      'd2:DROP:DUPLICATIVE',
    ])
  })

  it('a batch larger than one poll is routed completely before the handler returns', async () => {
    const many = Array.from({ length: 12_000 }, (_, i) =>
      // Each its own price: the same order sent again within a second would be DUPLICATIVE.
      anOrder({ order_id: `o-${i}`, account_id: String(10000 + (i % 7)), price: 180 + (i % 2000) / 100, qty: 1 + Math.floor(i / 2000) }),
    )
    const routed = await routeEvent(mskEvent(ORDERS, many), log, noIndex, 20_000)
    expect(routed.audits).toHaveLength(12_000)
  })
})

describe('handler plumbing', () => {
  it('the authorizer accepts only the right bearer token, and denies when the secret cannot be read', async () => {
    const token = async () => 's3cret'
    expect(await authorise({ headers: { authorization: 'Bearer s3cret' } }, token)).toBe(true)
    expect(await authorise({ headers: { authorization: 'Bearer nope' } }, token)).toBe(false)
    expect(await authorise({ headers: {} }, token)).toBe(false)
    expect(
      await authorise({ headers: { authorization: 'Bearer s3cret' } }, () =>
        Promise.reject(new Error('down')),
      ),
    ).toBe(false)
  })

  it('turns an HTTP API event into the console request, base64 bodies decoded', () => {
    const request = toInjectRequest({
      rawPath: '/kill',
      rawQueryString: 'x=1',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: Buffer.from('{"scope":"GLOBAL"}').toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST' } },
    })
    expect(request).toEqual({
      method: 'POST',
      url: '/kill?x=1',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      payload: '{"scope":"GLOBAL"}',
    })
  })

  it('writes the audit index in batches of 25, retrying what DynamoDB did not process', async () => {
    const calls: number[] = []
    let refusedOnce = false
    const write: BatchWrite = async (_table, items) => {
      calls.push(items.length)
      if (!refusedOnce) {
        refusedOnce = true
        return items.slice(0, 2)
      }
      return []
    }
    const audits = Array.from({ length: 30 }, (_, i) => ({ ...sampleAudit, order_id: `o-${i}` }))
    await auditIndexSink({ RISKCTL_AUDIT_TABLE: 'audit' }, write).putAudits(audits)
    expect(calls).toEqual([25, 2, 5])
    await auditIndexSink({}, write).putAudits(audits)
    expect(calls).toHaveLength(3)
    expect(auditItem(sampleAudit).expires_at).toEqual({
      N: String(Math.floor(sampleAudit.ts / 1000) + 365 * 86400),
    })
  })

  it('caches only the last state per scope of a batch', async () => {
    const written: string[] = []
    const write: BatchWrite = async (_t, items) => {
      written.push(...items.map((i) => JSON.stringify(i.status)))
      return []
    }
    const base = { updated_ts: 1, updated_by: 'a', reason: 'r', last_cmd_id: 'c', corr_id: 'x' }
    await stateCacheSink({ RISKCTL_STATE_TABLE: 'state' }, write).putStates([
      { ...base, scope: 'GLOBAL', status: 'KILLED' },
      { ...base, scope: 'GLOBAL', status: 'ACTIVE' },
    ])
    expect(written).toEqual([JSON.stringify({ S: 'ACTIVE' })])
  })

  it('publishes metrics as embedded metric format', () => {
    const line = JSON.parse(emfLine('router', { Allowed: 3, Dropped: 1 }, 42)) as Record<string, unknown>
    expect(line).toMatchObject({ service: 'router', Allowed: 3, Dropped: 1, _aws: { Timestamp: 42 } })
  })
})

const sampleAudit: AuditRecord = {
  ts: 1_700_000_000_000,
  decision: 'ALLOW',
  order_id: 'o',
  account_id: '1',
  symbol: 'AAPL',
  strategy: 's',
  scope_matches: [],
  killswitch_status: 'ACTIVE',
  reason: 'ok',
  corr_id: 'c',
  service: 'router',
}
