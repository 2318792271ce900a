import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregateEvent } from '../../src/lambda/aggregator.js'
import { toLogRecords, type MskEvent } from '../../src/lambda/msk-event.js'
import { routeEvent } from '../../src/lambda/router.js'
import type { AuditIndexSink, StateCacheSink } from '../../src/lambda/table-sink.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { DeadLetter } from '../../src/domain/dead-letter.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { Order } from '../../src/domain/order.js'
import { LogError } from '../../src/log/errors.js'
import type { EventLog, LogRecord, ProduceRecord } from '../../src/log/port.js'
import { buildOperatorCommand } from '../../src/processors/operator-command.js'
import { allowedAction, localOrigin } from '../../src/processors/operator-trail.js'
import { encode } from '../../src/processors/topic-codec.js'
import { mskEventOf } from '../helpers/msk-event.js'
import {
  AUDIT,
  DEAD_LETTERS,
  KILL_COMMANDS,
  KILL_STATE,
  OPERATOR_ACTIONS,
  ORDERS,
  ORDERS_GATED,
  REFERENCE_PRICES,
  RISK_LIMITS,
  TOPICS,
} from '../../topologies/topics.js'
import { openTestLog, order, orderRecord, readAll, referencePrices, resetRiskctlTopics } from './support.js'

/**
 * The handlers write in transactions, and a transaction's records become readable (read_committed)
 * once its markers are written, a moment after the commit returns: what a test reads back right
 * after a handler is read until it shows what the handler did, or 10 s have passed.
 */
async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Far more than a batch takes on a local broker: running out of it is a failure, not a race. */
const BUDGET_MS = 30_000

const noIndex: AuditIndexSink = { putAudits: async () => undefined }
const noCache: StateCacheSink = { putStates: async () => undefined }

const recordsOf = (event: MskEvent) => toLogRecords(event, ORDERS)

/** [order_id, decision, corr_id], sorted: a batch spans partitions, so its audit order is the broker's. */
function decisions(audits: readonly AuditRecord[]): [string, string, string][] {
  return audits
    .map((a): [string, string, string] => [a.order_id, a.decision, a.corr_id])
    .sort(([a], [b]) => a.localeCompare(b))
}

function commandRecord(command: KillCommand): ProduceRecord {
  return { key: command.scope, value: Buffer.from(JSON.stringify(command)) }
}

function operatorCommand(scope: string, action: 'KILL' | 'UNKILL'): KillCommand {
  return buildOperatorCommand({ scope, action, reason: `${action} from the test`, operator: 'alice' })
}

describe('the Lambda handlers over MSK batches read from a real broker', () => {
  // Each function runs in its own container with its own connection; the test has a third, for
  // appending the inputs and reading the outputs back.
  let client: EventLog
  let aggregatorLog: EventLog
  let routerLog: EventLog
  const run = randomUUID().slice(0, 8)
  const id = (name: string) => `${name}-${run}`

  beforeAll(async () => {
    await resetRiskctlTopics()
    client = await openTestLog()
    await client.createTopics(TOPICS)
    // The Lambda router runs every check: the orders' symbol needs its reference price.
    await client.produce(REFERENCE_PRICES, referencePrices())
    aggregatorLog = await openTestLog()
    routerLog = await openTestLog()
  })
  afterAll(async () => {
    for (const log of [routerLog, aggregatorLog, client]) await log?.close()
  })

  /** Appends records, then reads them back as the mapping's poller would: the batch a handler gets. */
  async function deliver(topic: string, records: readonly ProduceRecord[]): Promise<MskEvent> {
    // Positioned at the end before the append, so it reads exactly these records.
    const reader = await client.consumer({ topics: [topic], from: { type: 'latest' } })
    try {
      // An operator's command goes with its entry in the operator-action trail, as the operator channel writes it.
      if (topic === KILL_COMMANDS) {
        const commands = records.map((record) => JSON.parse(record.value!.toString()) as KillCommand)
        const entries = commands.filter((command) => command.triggered_by === 'operator').map((command) => allowedAction(command, localOrigin('cli')))
        if (entries.length > 0) await client.produce(OPERATOR_ACTIONS, entries.map((entry) => encode(OPERATOR_ACTIONS, entry, { timestamp: entry.ts })))
      }
      await client.produce(topic, records)
      const read: LogRecord[] = []
      while (read.length < records.length) read.push(...(await reader.poll({ maxWaitMs: 1000 })))
      return mskEventOf(read)
    } finally {
      await reader.close()
    }
  }

  /** The delivered records' "partition:offset", the form a dead letter names its source by. */
  function positionsIn(event: MskEvent): string[] {
    return Object.values(event.records)
      .flat()
      .map((record) => `${record.partition}:${record.offset}`)
  }

  async function stateOf(scope: string): Promise<KillState | undefined> {
    const record = (await client.readCompacted(KILL_STATE)).records.get(scope)
    return record?.value == null ? undefined : (JSON.parse(record.value.toString()) as KillState)
  }

  /** The scope's state once it names this command (or what it shows after 10 s). */
  function stateAfter(command: KillCommand): Promise<KillState | undefined> {
    return settled(
      () => stateOf(command.scope),
      (state) => state?.last_cmd_id === command.cmd_id,
    )
  }

  /** How many records a topic has ever had appended: compaction removes records, not offsets. */
  async function appended(topic: string): Promise<number> {
    const consumer = await client.consumer({ topics: [topic] })
    try {
      return (await consumer.endOffsets()).reduce((sum, p) => sum + p.offset, 0)
    } finally {
      await consumer.close()
    }
  }

  async function auditsOf(orderIds: readonly string[]): Promise<AuditRecord[]> {
    return (await readAll<AuditRecord>(AUDIT)).filter((a) => orderIds.includes(a.order_id))
  }

  async function gatedOf(accounts: readonly string[]): Promise<string[]> {
    return (await readAll<Order>(ORDERS_GATED))
      .filter((o) => accounts.includes(o.account_id))
      .map((o) => o.order_id)
      .sort()
  }

  async function kill(account: string): Promise<KillCommand> {
    const command = operatorCommand(`ACCOUNT:${account}`, 'KILL')
    await aggregateEvent(
      await deliver(KILL_COMMANDS, [commandRecord(command)]),
      aggregatorLog,
      noCache,
      BUDGET_MS,
    )
    expect(await stateAfter(command)).toMatchObject({ status: 'KILLED', last_cmd_id: command.cmd_id })
    return command
  }

  it('kill, route, unkill, route: each batch read from the broker, each output written back to it', async () => {
    const killed = id('killed')
    const other = id('other')
    const scope = `ACCOUNT:${killed}`

    const killCommand = operatorCommand(scope, 'KILL')
    const cached: KillState[] = []
    const aggregated = await aggregateEvent(
      await deliver(KILL_COMMANDS, [commandRecord(killCommand)]),
      aggregatorLog,
      { putStates: async (states) => void cached.push(...states) },
      BUDGET_MS,
    )
    expect(aggregated.applied.map(([state]) => [state.scope, state.status])).toEqual([[scope, 'KILLED']])
    expect(cached.map((state) => [state.scope, state.status])).toEqual([[scope, 'KILLED']])
    expect(await stateAfter(killCommand)).toMatchObject({
      status: 'KILLED',
      last_cmd_id: killCommand.cmd_id,
      corr_id: killCommand.corr_id,
    })

    // The router has its own connection: it can know of the kill only through the state topic.
    const first = [order(id('a1'), killed), order(id('b1'), other)]
    const indexed: AuditRecord[] = []
    const routed = await routeEvent(
      await deliver(
        ORDERS,
        first.map((o) => orderRecord(o)),
      ),
      routerLog,
      { putAudits: async (audits) => void indexed.push(...audits) },
      BUDGET_MS,
    )
    expect(routed.orders).toBe(2)
    expect(decisions(routed.audits)).toEqual([
      [id('a1'), 'DROP', killCommand.corr_id],
      [id('b1'), 'ALLOW', ''],
    ])
    expect(decisions(indexed)).toEqual(decisions(routed.audits))
    const audited = await settled(
      () => auditsOf([id('a1'), id('b1')]),
      (audits) => audits.length >= 2,
    )
    expect(decisions(audited)).toEqual(decisions(routed.audits))
    expect(await gatedOf([killed, other])).toEqual([id('b1')])

    const unkill = operatorCommand(scope, 'UNKILL')
    await aggregateEvent(
      await deliver(KILL_COMMANDS, [commandRecord(unkill)]),
      aggregatorLog,
      noCache,
      BUDGET_MS,
    )
    expect(await stateAfter(unkill)).toMatchObject({ status: 'ACTIVE', last_cmd_id: unkill.cmd_id })

    const again = await routeEvent(
      await deliver(ORDERS, [orderRecord(order(id('a2'), killed))]),
      routerLog,
      noIndex,
      BUDGET_MS,
    )
    expect(decisions(again.audits)).toEqual([[id('a2'), 'ALLOW', unkill.corr_id]])
    const all = await settled(
      () => auditsOf([id('a1'), id('b1'), id('a2')]),
      (audits) => audits.length >= 3,
    )
    expect(decisions(all)).toEqual([
      [id('a1'), 'DROP', killCommand.corr_id],
      [id('a2'), 'ALLOW', unkill.corr_id],
      [id('b1'), 'ALLOW', ''],
    ])
    expect(await gatedOf([killed, other])).toEqual([id('a2'), id('b1')])
  })

  it('a redelivered command batch changes no state: the compacted state names the last command applied', async () => {
    const scope = `ACCOUNT:${id('redelivered-kill')}`
    const command = operatorCommand(scope, 'KILL')
    const batch = await deliver(KILL_COMMANDS, [commandRecord(command)])
    const firstTime = await aggregateEvent(batch, aggregatorLog, noCache, BUDGET_MS)
    expect(firstTime.applied).toHaveLength(1)
    const applied = await stateAfter(command)
    const stateRecords = await appended(KILL_STATE)

    // A new Aggregator per invocation: only what it committed with its outputs tells it this is a retry.
    const cached: KillState[] = []
    const retried = await aggregateEvent(
      batch,
      aggregatorLog,
      { putStates: async (states) => void cached.push(...states) },
      BUDGET_MS,
    )
    expect(retried).toEqual({ commands: 1, applied: [] })
    // The first delivery may have failed at the cache: the retry puts the state as the topic has it.
    expect(cached).toEqual([applied])
    expect(await appended(KILL_STATE)).toBe(stateRecords)
    expect(await stateOf(scope)).toMatchObject({ status: 'KILLED', last_cmd_id: command.cmd_id })
  })

  it('a redelivered KILL-then-UNKILL batch replays neither: the scope stays ACTIVE, no state is appended', async () => {
    const scope = `ACCOUNT:${id('redelivered-pair')}`
    const killCommand = operatorCommand(scope, 'KILL')
    const unkill = operatorCommand(scope, 'UNKILL')
    const batch = await deliver(KILL_COMMANDS, [commandRecord(killCommand), commandRecord(unkill)])
    const firstTime = await aggregateEvent(batch, aggregatorLog, noCache, BUDGET_MS)
    expect(firstTime.applied.map(([state]) => state.status)).toEqual(['KILLED', 'ACTIVE'])
    expect(await stateAfter(unkill)).toMatchObject({ status: 'ACTIVE' })
    const stateRecords = await appended(KILL_STATE)

    // Replaying the KILL would show the scope KILLED to every router until the UNKILL came round again.
    const retried = await aggregateEvent(batch, aggregatorLog, noCache, BUDGET_MS)
    expect(retried).toEqual({ commands: 2, applied: [] })
    expect(await appended(KILL_STATE)).toBe(stateRecords)
    expect(await stateOf(scope)).toMatchObject({ status: 'ACTIVE', last_cmd_id: unkill.cmd_id })
  })

  it('a redelivered order batch is decided once: the progress committed with its outputs skips it', async () => {
    const killed = id('redelivered-killed')
    const other = id('redelivered-other')
    const killCommand = await kill(killed)
    const batch = await deliver(ORDERS, [
      orderRecord(order(id('d1'), killed)),
      orderRecord(order(id('e1'), other)),
    ])
    const expected = [
      [id('d1'), 'DROP', killCommand.corr_id],
      [id('e1'), 'ALLOW', ''],
    ]

    const first = await routeEvent(batch, routerLog, noIndex, BUDGET_MS)
    expect(decisions(first.audits)).toEqual(expected)
    expect(first.redelivered).toBe(0)
    await settled(
      () => auditsOf([id('d1'), id('e1')]),
      (audits) => audits.length >= 2,
    )
    // The mapping delivers it again (its own commit never happened): nothing is decided, forwarded
    // or audited a second time, and the handler says how many orders it skipped.
    const indexed: AuditRecord[] = []
    const again = await routeEvent(
      batch,
      routerLog,
      { putAudits: async (audits) => void indexed.push(...audits) },
      BUDGET_MS,
    )
    expect(again).toEqual({ orders: 2, redelivered: 2, audits: [], creditWarnings: [] })
    // The first delivery may have failed at the index: it gets the decisions again, read from audit.v1.
    expect(decisions(indexed)).toEqual(expected)
    expect(decisions(await auditsOf([id('d1'), id('e1')]))).toEqual(expected)
    expect(await gatedOf([killed, other])).toEqual([id('e1')])

    // A batch that overlaps it, as after a partial failure: only the new order is decided.
    const later = await deliver(ORDERS, [orderRecord(order(id('e2'), other))])
    const overlap = mskEventOf([...recordsOf(batch), ...recordsOf(later)])
    const third = await routeEvent(overlap, routerLog, noIndex, BUDGET_MS)
    expect({ redelivered: third.redelivered, audits: decisions(third.audits) }).toEqual({
      redelivered: 2,
      audits: [[id('e2'), 'ALLOW', '']],
    })
    expect(
      await settled(
        () => gatedOf([killed, other]),
        (gated) => gated.length >= 2,
      ),
    ).toEqual([id('e1'), id('e2')])
  })

  it('a malformed order is dead-lettered and the rest of its batch is still decided', async () => {
    const account = id('malformed')
    const good = order(id('f1'), account)
    const { qty: _qty, ...withoutQty } = order(id('f2'), account)
    const batch = await deliver(ORDERS, [
      orderRecord(good),
      { key: account, value: Buffer.from(`not json ${run}`) },
      { key: account, value: Buffer.from(JSON.stringify(withoutQty)) },
    ])
    const [goodAt, notJsonAt, withoutQtyAt] = positionsIn(batch)

    const routed = await routeEvent(batch, routerLog, noIndex, BUDGET_MS)
    expect(routed.orders).toBe(3)
    expect(decisions(routed.audits)).toEqual([[id('f1'), 'ALLOW', '']])
    expect(
      await settled(
        () => gatedOf([account]),
        (gated) => gated.length >= 1,
      ),
    ).toEqual([id('f1')])
    expect(await auditsOf([id('f2')])).toEqual([])

    const ours = (letter: DeadLetter) =>
      letter.source_topic === ORDERS && positionsIn(batch).includes(letter.offset)
    const letters = await settled(
      async () => (await readAll<DeadLetter>(DEAD_LETTERS)).filter(ours),
      (found) => found.length >= 2,
    )
    expect(letters.map((letter) => [letter.offset, letter.raw])).toEqual([
      [notJsonAt, `not json ${run}`],
      [withoutQtyAt, JSON.stringify(withoutQty)],
    ])
    expect(letters.map((letter) => letter.offset)).not.toContain(goodAt)
    expect(letters.every((letter) => letter.error !== '')).toBe(true)
  })

  it('the router reads the compacted state before it decides a batch, and decides nothing without it', async () => {
    const killed = id('fail-closed')
    const other = id('fail-closed-other')
    const killCommand = await kill(killed)

    const calls: string[] = []
    const watched = withOverrides(routerLog, {
      readCompacted: (topic) => {
        calls.push(`readCompacted ${topic}`)
        return routerLog.readCompacted(topic)
      },
      write: (batches, commit) => {
        calls.push(`write ${batches.map((batch) => batch.topic).join(',')}`)
        return routerLog.write(batches, commit)
      },
    })
    const watchedRoute = await routeEvent(
      await deliver(ORDERS, [orderRecord(order(id('g1'), killed))]),
      watched,
      noIndex,
      BUDGET_MS,
    )
    expect(decisions(watchedRoute.audits)).toEqual([[id('g1'), 'DROP', killCommand.corr_id]])
    // The kill state, the limits and the reference prices, each to its end, before the one write.
    expect(calls).toEqual([
      `readCompacted ${KILL_STATE}`,
      `readCompacted ${RISK_LIMITS}`,
      `readCompacted ${REFERENCE_PRICES}`,
      `write ${AUDIT}`,
    ])

    // The state topic cannot be read (the broker went away between invocations): the router must
    // not fall back to allowing; the invocation fails at once, with why, and the mapping delivers the batch again.
    const batch = await deliver(ORDERS, [
      orderRecord(order(id('g2'), killed)),
      orderRecord(order(id('h1'), other)),
    ])
    const unreadable = withOverrides(routerLog, {
      readCompacted: () =>
        Promise.reject(new LogError('RISKCTL_BROKER_UNREACHABLE', 'the state topic cannot be read')),
    })
    const indexed: AuditRecord[] = []
    await expect(
      routeEvent(batch, unreadable, { putAudits: async (audits) => void indexed.push(...audits) }, 1500),
    ).rejects.toThrow(/the state topic cannot be read/)
    expect(indexed).toEqual([])
    expect(await auditsOf([id('g2'), id('h1')])).toEqual([])
    expect(await gatedOf([killed, other])).toEqual([])

    const redelivered = await routeEvent(batch, routerLog, noIndex, BUDGET_MS)
    expect(decisions(redelivered.audits)).toEqual([
      [id('g2'), 'DROP', killCommand.corr_id],
      [id('h1'), 'ALLOW', ''],
    ])
  })
})

/** The log as is, but for the calls a test wants to watch or break. */
function withOverrides(
  log: EventLog,
  overrides: Partial<Pick<EventLog, 'readCompacted' | 'write'>>,
): EventLog {
  return {
    description: log.description,
    createTopics: (specs) => log.createTopics(specs),
    listTopics: () => log.listTopics(),
    describeTopic: (topic) => log.describeTopic(topic),
    produce: (topic, records) => log.produce(topic, records),
    write: (batches, commit) => log.write(batches, commit),
    consumer: (options) => log.consumer(options),
    endOffsets: (topics) => log.endOffsets(topics),
    readCompacted: (topic) => log.readCompacted(topic),
    committedOffsets: (group, topic) => log.committedOffsets(group, topic),
    prepareCommit: async (commit) => log.prepareCommit?.(commit),
    close: () => log.close(),
    ...overrides,
  }
}
