import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { killCommandSchema } from '../../src/contracts/messages.js'
import type { DetectorSettings } from '../../src/domain/detector-settings.js'
import type { LogRecord, ProduceRecord } from '../../src/log/port.js'
import { decodeStateRecord, encode } from '../../src/processors/topic-codec.js'
import type { CommandRecord } from '../../src/contracts/commands.js'
import { VOUCHER_LOOKBACK_MS } from '../../src/domain/operator-voucher.js'
import { allowedAction } from '../../src/processors/operator-trail.js'
import { jsonRecord } from '../helpers/json-record.js'
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
} from '../../topologies/topics.js'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import {
  ACCOUNTS,
  STRATEGIES,
  SYMBOLS,
  step,
  type CommandSpec,
  type OrderSpec,
  type ScopeSpec,
  type Step,
} from './arbitraries.js'
import { DriverTopology } from './driver-topology.js'
import { Loop, type TopologyUnderTest } from './loop.js'
import { expectReconciled } from './reconciled.js'

/** The operator each source names: a user, the direct path's identities, and one of a channel that does not exist. */
const OPERATOR_NAMES: Partial<Record<CommandSpec['source'], string>> = {
  operator: 'alice',
  'operator-local': 'local:alice',
  'operator-sasl': 'sasl:bob',
  'operator-forged': 'root:alice',
}
/** The sources the model lets UNKILL and THROTTLE: an operator with a well-formed identity. */
const RESTORERS: ReadonlySet<CommandSpec['source']> = new Set(['operator', 'operator-local', 'operator-sasl'])

/**
 * The decision path against a small reference model: random interleavings of orders (skewed clocks, spellings,
 * re-sent ids, absurd and oversized values), KILL/UNKILL/THROTTLE on every scope kind (reused and replayed
 * cmd_ids, sources that may not restore), malformed state records, and restarts of each processor, on a real
 * embedded log with the real processors. Invariants:
 * - every order record gets exactly one decision (an audit, or a dead letter when it is not an order);
 * - no order governed by a scope the model says is KILLED (in the log before the order) is ALLOWed;
 * - a re-sent order_id is decided once and forwarded at most once, across restarts;
 * - every command record has exactly one visible outcome, the one the model predicts;
 * - the final kill state is the model's;
 * - the detector kills exactly the accounts that breached, whatever their clocks and however often it restarted;
 * - no order is ALLOWed that a pre-trade check must drop: over its account's max_order_qty, of an account whose
 *   limits record cannot be read, with no readable reference price for its symbol or a price outside the collar,
 *   of an absurd value; and none is dropped that passes every check and no kill or throttle governs.
 *
 * `npm test` runs a fixed seed; .ci/run runs more with a random one (RISKCTL_MODEL_RUNS, RISKCTL_MODEL_SEED).
 */
const RUNS = Number(process.env.RISKCTL_MODEL_RUNS ?? 12)
const SEED = process.env.RISKCTL_MODEL_SEED === undefined ? 20261204 : Number(process.env.RISKCTL_MODEL_SEED)
/** fast-check's path of a failure to replay alone, with its seed: RISKCTL_MODEL_SEED=5 RISKCTL_MODEL_PATH=34. */
const PATH = process.env.RISKCTL_MODEL_PATH
const BREACH_ORDERS = 8

const SETTINGS: DetectorSettings = {
  windowMs: 60_000,
  slideMs: 1_000,
  allowedLatenessMs: 5_000,
  thresholds: { orderCount: BREACH_ORDERS, notional: 1e12, topSymbolShare: 1 },
  concentrationMinOrders: 1_000_000,
  symbolRule: { orderCount: 1_000_000 },
  signalIntervalMs: 1_000,
  idleEvictMs: 120_000,
}

/** The checks the model predicts exactly; the ones that keep state over time (credit, rates, windows) are off. */
const LIMITS: LimitsTopology = {
  tradingDay: { timeZone: 'UTC', startHour: 0 },
  referencePriceMaxAgeMs: 3_600_000,
  duplicativeWindowMs: 0,
  defaults: { max_order_qty: 50, collar_pct: 10, allow_without_reference: false },
}
const DEFAULT_MAX_QTY = 50
/** Where the scenario starts: AAPL priced at the orders' price, TSLA not priced at all. */
const FIRST_PRICES = [{ symbol: 'AAPL', price: 100 }] as const

type Status = 'ACTIVE' | 'KILLED' | 'THROTTLED'
type PriceState = 'in' | 'out'
/** An account's own max_order_qty, or 'unknown' while its record cannot be read. */
type AccountLimit = number | 'unknown'
interface ModelState {
  status: Status
  updatedTs: number
  lastCmdId: string
}
type Decision = 'ALLOW' | 'DROP'
interface ExpectedOrder {
  readonly orderId: string
  readonly account: string
  /** The decisions the order may get when it is the first of its order_id. */
  readonly allowed: Set<Decision>
}

/** An order the router may decide at any step from the one that produced it on: it lags as it likes. */
interface PendingOrder {
  readonly orderId: string
  readonly account: string
  readonly symbol: string
  readonly strategy: string
  readonly step: number
  readonly qty: number
  readonly absurd: boolean
}
type Outcome = 'applied' | 'duplicate' | 'refused' | 'invalid'
/** A command on an account the detector may have killed meanwhile: its outcome depends on when. */
type Expected = Outcome | 'any'

const STATUS_FOR = { KILL: 'KILLED', UNKILL: 'ACTIVE', THROTTLE: 'THROTTLED' } as const

/** The reference model: what the whole loop must have done, worked out the simple way. */
class Model {
  readonly scopes = new Map<string, ModelState>()
  private readonly identities = new Set<string>()
  readonly cmdIds: string[] = []
  readonly commandRecords: { value: Buffer; key: string | null; timestamp?: number }[] = []
  /** Per corr_id: what each command record must end in. */
  readonly outcomes = new Map<string, Expected[]>()
  readonly orderIds: string[] = []
  readonly orders = new Map<number, PendingOrder>()
  /** The decisions allowed for each order after each step. */
  private readonly snapshots: ((order: PendingOrder) => Set<Decision>)[] = []
  readonly prices = new Map<string, PriceState>(FIRST_PRICES.map(({ symbol }) => [symbol, 'in']))
  readonly limits = new Map<string, AccountLimit>()
  readonly invalidOrders: number[] = []
  readonly validCount = new Map<string, number>()
  readonly absurd = new Set<string>()
  readonly touched = new Set<string>()
  /** Accounts the detector may have killed: from then on their ACCOUNT state is its doing as much as ours. */
  readonly uncertain = new Set<string>()
  private corr = 0

  breached(account: string): boolean {
    return (this.validCount.get(account) ?? 0) > BREACH_ORDERS || this.absurd.has(account)
  }

  command(spec: CommandSpec, now: number): { record: ProduceRecord; trail: ProduceRecord | undefined } {
    const scope = scopeText(spec.scope)
    if (spec.scope.kind === 'ACCOUNT') this.touched.add(ACCOUNTS[spec.scope.id]!)
    const cmdId =
      spec.reuseCmdId < 0 || this.cmdIds.length === 0
        ? `c-${this.cmdIds.length}`
        : this.cmdIds[spec.reuseCmdId % this.cmdIds.length]!
    this.cmdIds.push(cmdId)
    const corrId = `corr-${(this.corr += 1)}`
    const ts = now + spec.skewMs
    const command = {
      cmd_id: cmdId,
      ts,
      scope: scope.text,
      action: spec.action,
      reason: 'model',
      triggered_by: spec.source === 'no-operator' || spec.source.startsWith('operator') ? 'operator' : spec.source,
      ...(OPERATOR_NAMES[spec.source] === undefined ? {} : { operator: OPERATOR_NAMES[spec.source] }),
      ...(spec.action === 'THROTTLE' ? { max_orders_per_sec: 2 } : {}),
      corr_id: corrId,
    }
    // As the operator channel writes them: stamped with the command's time, with its entry in the trail.
    const record = spec.trailed
      ? { key: scope.text, value: Buffer.from(JSON.stringify(command)), timestamp: ts }
      : { key: scope.text, value: Buffer.from(JSON.stringify(command)) }
    const trail = spec.trailed ? encode(OPERATOR_ACTIONS, allowedAction(command as CommandRecord, { channel: 'cli', from: 'model' }), { timestamp: ts }) : undefined
    this.commandRecords.push(record)
    const outcome = scope.canonical === undefined ? 'invalid' : this.apply(scope.canonical, command, spec, now)
    const unsure = spec.scope.kind === 'ACCOUNT' && this.uncertain.has(ACCOUNTS[spec.scope.id]!)
    this.outcomes.set(corrId, [unsure && outcome !== 'invalid' ? 'any' : outcome])
    return { record, trail }
  }

  replay(nth: number): { key: string | null; value: Buffer; timestamp?: number } | undefined {
    const record = this.commandRecords[nth % Math.max(1, this.commandRecords.length)]
    if (record === undefined) return undefined
    const command = JSON.parse(record.value.toString()) as { corr_id: string }
    const outcomes = this.outcomes.get(command.corr_id)!
    // Byte for byte the same command: a duplicate, unless it never was a command.
    outcomes.push(outcomes[0] === 'invalid' ? 'invalid' : 'duplicate')
    this.commandRecords.push(record)
    return record
  }

  badState(account: string, killed: boolean, now: number): void {
    this.touched.add(account)
    const scope = `ACCOUNT:${account}`
    // A record that is not whole may only tighten (mayReplace): a scope already KILLED keeps its own state and time,
    // so an UNKILL newer than the KILL that killed it still applies.
    if (killed && this.scopes.get(scope)?.status !== 'KILLED') this.scopes.set(scope, { status: 'KILLED', updatedTs: now, lastCmdId: '' })
  }

  private apply(
    scope: string,
    command: { cmd_id: string; ts: number; action: 'KILL' | 'UNKILL' | 'THROTTLE'; triggered_by: string },
    spec: CommandSpec,
    now: number,
  ): Outcome {
    const identity = `${command.cmd_id}|${scope}|${command.action}`
    const state = this.scopes.get(scope)
    const status = STATUS_FOR[command.action]
    const known = this.identities.has(identity)
    this.identities.add(identity)
    // Anything but a KILL needs its entry in the trail, in the name of the operator it names, an hour old at most.
    const vouched = spec.trailed && OPERATOR_NAMES[spec.source] !== undefined && command.ts >= now - VOUCHER_LOOKBACK_MS
    if (command.action !== 'KILL' && !vouched) return known ? 'duplicate' : 'refused'
    if (known || (state?.lastCmdId === command.cmd_id && state.status === status)) return 'duplicate'
    if (command.action !== 'KILL') {
      if (!RESTORERS.has(spec.source)) return 'refused'
      if (state !== undefined && command.ts < state.updatedTs) return 'refused'
    }
    this.scopes.set(scope, { status, updatedTs: Math.max(state?.updatedTs ?? Number.NEGATIVE_INFINITY, command.ts), lastCmdId: command.cmd_id })
    return 'applied'
  }

  order(
    spec: OrderSpec,
    now: number,
  ): { key: string | null; value: Buffer; valid: boolean; orderId: string; account: string } {
    const account = ACCOUNTS[spec.account]!
    const base =
      spec.resend < 0 || this.orderIds.length === 0
        ? `o-${this.orderIds.length}`
        : this.orderIds[spec.resend % this.orderIds.length]!
    this.orderIds.push(base)
    // Order ids keep their case: an upper-cased one is another order; padding is not part of an id.
    const written = spec.resendSpelling === 'upper' ? base.toUpperCase() : spec.resendSpelling === 'padded' ? ` ${base}\t` : base
    const canonical = written.trim()
    const fields: Record<string, unknown> = {
      order_id: written,
      ts: Math.max(0, now + spec.skewMs),
      account_id: spec.accountSpelling.text,
      symbol: spec.symbolSpelling.text,
      side: spec.shape === 'bad-side' ? 'buy' : 'BUY',
      qty: spec.qty,
      price: spec.price === 'absurd' ? 1e300 : 100,
      strategy: spec.strategySpelling.text,
    }
    if (spec.shape === 'missing-field') delete fields.symbol
    if (spec.shape === 'oversized') fields.memo = 'x'.repeat(40_000)
    const valid =
      ['valid'].includes(spec.shape) &&
      spec.accountSpelling.valid &&
      spec.symbolSpelling.valid &&
      spec.strategySpelling.valid
    const value =
      spec.shape === 'not-json' ? Buffer.from('{"order_id": not json') : Buffer.from(JSON.stringify(fields))
    if (valid) {
      this.validCount.set(account, (this.validCount.get(account) ?? 0) + 1)
      if (spec.price === 'absurd') this.absurd.add(account)
      if (this.breached(account)) this.uncertain.add(account)
    }
    if (canonical !== base) this.orderIds.push(canonical)
    return { key: spec.accountSpelling.text, value, valid, orderId: canonical, account }
  }

  price(symbol: string, price: 100 | 150 | 'unreadable'): void {
    if (price === 'unreadable') this.prices.delete(symbol)
    else this.prices.set(symbol, price === 100 ? 'in' : 'out')
  }

  setLimit(account: string, limit: 5 | 500 | 'unreadable' | 'tombstone'): void {
    if (limit === 'tombstone') this.limits.delete(account)
    else this.limits.set(account, limit === 'unreadable' ? 'unknown' : limit)
  }

  /** Remembers what the state allows now: a step has ended. */
  snapshot(): void {
    const scopes = new Map([...this.scopes].map(([scope, state]) => [scope, { ...state }]))
    const uncertain = new Set(this.uncertain)
    const prices = new Map(this.prices)
    const limits = new Map(this.limits)
    const passes = (order: PendingOrder): boolean => {
      const limit = limits.get(order.account) ?? DEFAULT_MAX_QTY
      return !order.absurd && limit !== 'unknown' && order.qty <= limit && prices.get(order.symbol) === 'in'
    }
    this.snapshots.push((order) => {
      const { account, symbol, strategy } = order
      const states = ['GLOBAL', `ACCOUNT:${account}`, `SYMBOL:${symbol}`, `STRATEGY:${strategy}`]
        .filter((scope) => !uncertain.has(account) || scope !== `ACCOUNT:${account}`)
        .map((scope) => scopes.get(scope))
        .filter((state): state is ModelState => state !== undefined)
      const allowed = new Set<Decision>()
      if (states.some((state) => state.status === 'KILLED') || !passes(order)) allowed.add('DROP')
      else if (states.some((state) => state.status === 'THROTTLED')) allowed.add('DROP').add('ALLOW')
      else allowed.add('ALLOW')
      // Once the detector may have killed the account, its KILL may be in force.
      if (uncertain.has(account)) allowed.add('DROP')
      return allowed
    })
  }

  get step(): number {
    return this.snapshots.length
  }

  /** Whatever the state allowed at some step from the order's own on. */
  expectation(order: PendingOrder): ExpectedOrder {
    const allowed = new Set<Decision>()
    for (const snapshot of this.snapshots.slice(order.step)) {
      for (const decision of snapshot(order)) allowed.add(decision)
    }
    return { orderId: order.orderId, account: order.account, allowed }
  }
}

function scopeText(scope: ScopeSpec): { text: string; canonical: string | undefined } {
  if (scope.kind === 'GLOBAL') return { text: 'global', canonical: 'GLOBAL' }
  const ids = scope.kind === 'ACCOUNT' ? ACCOUNTS : scope.kind === 'SYMBOL' ? SYMBOLS : STRATEGIES
  return {
    text: `${scope.kind.toLowerCase()}:${scope.spelling.text}`,
    canonical: scope.spelling.valid ? `${scope.kind}:${ids[scope.id]!}` : undefined,
  }
}

const json = (record: LogRecord): Record<string, unknown> =>
  JSON.parse(record.value!.toString('utf8')) as Record<string, unknown>

async function runScenario(steps: readonly Step[], start: () => Promise<TopologyUnderTest>): Promise<void> {
  const loop = await start()
  const model = new Model()
  /**
   * The bad state records that must be dead-lettered: the newest under each key. One the model wrote again under the
   * same key before any aggregator read it (a restart between, say) no longer governs anything: the compacted view an
   * aggregator starts from holds only the newer one, which is repaired and dead-lettered in its stead.
   */
  const badByKey = new Map<string | null, string>()
  try {
    const ts = Date.now()
    await loop.log.produce(
      REFERENCE_PRICES,
      FIRST_PRICES.map(({ symbol, price }) => jsonRecord(symbol, { symbol, price, ts, source: 'model' })),
    )
    for (const s of steps) {
      if (s.type === 'orders') {
        const records = s.orders.map((spec) => {
          const made = model.order(spec, Date.now())
          return { spec, made }
        })
        const metadata = await loop.log.produce(
          ORDERS,
          records.map(({ made }) => ({ key: made.key, value: made.value })),
        )
        records.forEach(({ spec, made }, i) => {
          const at = metadata[i]!
          const id = at.partition * 1_000_000 + at.offset
          if (!made.valid) model.invalidOrders.push(id)
          else {
            const symbol = SYMBOLS[spec.symbol]!
            const strategy = STRATEGIES[spec.strategy]!
            model.orders.set(id, {
              orderId: made.orderId,
              account: made.account,
              symbol,
              strategy,
              step: model.step,
              qty: spec.qty,
              absurd: spec.price === 'absurd',
            })
          }
        })
      } else if (s.type === 'command' || s.type === 'replay') {
        const sent = s.type === 'command' ? model.command(s.command, Date.now()) : { record: model.replay(s.nth), trail: undefined }
        if (sent.record === undefined) continue
        if (sent.trail === undefined) await loop.log.produce(KILL_COMMANDS, [sent.record])
        else await loop.log.write([{ topic: OPERATOR_ACTIONS, records: [sent.trail] }, { topic: KILL_COMMANDS, records: [sent.record] }])
        await loop.settle(['aggregator'])
      } else if (s.type === 'bad-state') {
        const account = ACCOUNTS[s.account]!
        const scope = `ACCOUNT:${account}`
        const value =
          s.shape === 'incomplete' || s.shape === 'incomplete-other-key'
            ? jsonRecord(s.shape === 'incomplete' ? scope : `state-of-${account}`, {
                scope,
                status: 'KILLED',
              })
            : { key: s.shape === 'unreadable' ? scope : 'garbage-key', value: Buffer.from('{garbage') }
        const [at] = await loop.log.produce(KILL_STATE, [value])
        badByKey.set(value.key, `${at!.partition}:${at!.offset}`)
        model.badState(account, s.shape !== 'no-scope', Date.now())
      } else if (s.type === 'limits') {
        const account = ACCOUNTS[s.account]!
        const scope = `ACCOUNT:${account}`
        const record =
          s.limit === 'tombstone'
            ? { key: scope, value: null }
            : s.limit === 'unreadable'
              ? { key: scope, value: Buffer.from('{"scope":"' + scope + '","limits":{"max_order_qty":-1}') }
              : jsonRecord(scope, {
                  scope,
                  limits: { max_order_qty: s.limit },
                  updated_ts: Date.now(),
                  updated_by: 'model',
                  reason: 'model',
                  last_cmd_id: `l-${model.step}`,
                  corr_id: `l-${model.step}`,
                })
        await loop.log.produce(RISK_LIMITS, [record])
        model.setLimit(account, s.limit)
      } else if (s.type === 'price') {
        const symbol = SYMBOLS[s.symbol]!
        const value =
          s.price === 'unreadable'
            ? Buffer.from('{"symbol":"' + symbol + '","price":"cheap"}')
            : Buffer.from(JSON.stringify({ symbol, price: s.price, ts: Date.now(), source: 'model' }))
        await loop.log.produce(REFERENCE_PRICES, [{ key: symbol, value }])
        model.price(symbol, s.price)
      } else {
        await loop.restart(s.processor)
      }
      model.snapshot()
    }
    const badStates = [...badByKey.values()]
    await loop.settle(['aggregator', 'router', 'detector'])
    // The detector's last KILLs are applied, and the orders after them decided.
    await loop.settle(['aggregator', 'router'])
    // The aggregator sees to bad state records on its own time; wait for its dead letters.
    await loop.waitFor('a dead letter for every bad state record', async () => {
      const letters = (await loop.readAll(DEAD_LETTERS))
        .map(json)
        .filter((l) => l.source_topic === KILL_STATE)
      return badStates.every((offset) => letters.some((l) => l.offset === offset))
    })
    await checkInvariants(loop, model, badStates)
  } finally {
    await loop.close()
  }
}

async function checkInvariants(loop: TopologyUnderTest, model: Model, badStates: readonly string[]): Promise<void> {
  await expectReconciled(loop)
  const audits = (await loop.readAll(AUDIT)).map(json)
  const routerAudits = audits.filter((a) => a.service === 'router')
  const aggregatorAudits = audits.filter((a) => a.service === 'aggregator')
  const letters = (await loop.readAll(DEAD_LETTERS)).map(json)
  const gated = (await loop.readAll(ORDERS_GATED)).map(json)

  // Every order record: exactly one decision.
  const orderLetters = letters.filter((l) => l.source_topic === ORDERS).map((l) => String(l.offset))
  const letterIds = orderLetters.map((offset) => {
    const [p, o] = offset.split(':').map(Number)
    return p! * 1_000_000 + o!
  })
  expect(new Set(letterIds).size, 'one dead letter per rejected order').toBe(letterIds.length)
  expect([...letterIds].sort()).toEqual([...model.invalidOrders].sort())
  const byId = new Map<string, ExpectedOrder[]>()
  for (const pending of model.orders.values()) {
    const expected = model.expectation(pending)
    byId.set(expected.orderId, [...(byId.get(expected.orderId) ?? []), expected])
  }
  const decided = new Map<string, string[]>()
  for (const audit of routerAudits)
    decided.set(String(audit.order_id), [
      ...(decided.get(String(audit.order_id)) ?? []),
      String(audit.decision),
    ])
  expect([...decided.keys()].sort()).toEqual([...byId.keys()].sort())
  for (const [orderId, expected] of byId) {
    const decisions = decided.get(orderId) ?? []
    expect(decisions.length, `decisions for ${orderId}`).toBe(expected.length)
    const first = decisions.filter((d) => d !== 'DUPLICATE')
    if (process.env.RISKCTL_MODEL_DEBUG && !expected.some((e) => e.allowed.has(first[0] as Decision))) {
      console.log(
        JSON.stringify({
          orderId,
          expected: expected.map((e) => [...e.allowed]),
          audits: routerAudits.filter((a) => a.order_id === orderId),
          model: [...model.scopes],
          uncertain: [...model.uncertain],
          commands: model.commandRecords.map((r) => r.value.toString()),
          outcomes: [...model.outcomes],
          aggregator: aggregatorAudits,
          states: (await loop.readAll(KILL_STATE)).map((r) => `${r.partition}:${r.offset} ${r.key} ${r.timestamp} ${r.value?.toString() ?? 'null'}`),
          decidedAt: routerAudits.filter((a) => a.order_id === orderId).map((a) => a.ts),
        }),
      )
    }
    expect(first.length, `${orderId} is decided once, its re-sends are DUPLICATE`).toBe(1)
    expect(
      expected.some((e) => e.allowed.has(first[0] as Decision)),
      `${orderId}: ${first[0]} where the model allows ${expected.map((e) => [...e.allowed].join('|')).join(' or ')}`,
    ).toBe(true)
  }
  // A re-sent order is never forwarded twice; what is forwarded is what was ALLOWed.
  const forwarded = gated.map((order) => String(order.order_id).normalize('NFKC').trim())
  expect(new Set(forwarded).size).toBe(forwarded.length)
  expect(forwarded.length).toBe(routerAudits.filter((a) => a.decision === 'ALLOW').length)

  // Every command record: exactly one visible outcome, the model's.
  const commands = (await loop.readAll(KILL_COMMANDS)).map((record) => ({ record, value: json(record) }))
  const commandLetters = new Set(
    letters
      .filter((l) => l.source_topic === KILL_COMMANDS && !String(l.error).startsWith('refused'))
      .map((l) => String(l.offset)),
  )
  for (const [corrId, outcomes] of model.outcomes) {
    const got: Outcome[] = []
    for (const audit of aggregatorAudits.filter((a) => a.corr_id === corrId)) {
      got.push(
        audit.decision === 'APPLIED' ? 'applied' : audit.decision === 'DUPLICATE' ? 'duplicate' : 'refused',
      )
    }
    for (const { record } of commands.filter((c) => c.value.corr_id === corrId)) {
      if (commandLetters.has(`${record.partition}:${record.offset}`)) got.push('invalid')
    }
    if (got.length !== outcomes.length && process.env.RISKCTL_MODEL_DEBUG) {
      console.log(
        JSON.stringify({ corrId, commands: commands.map((c) => c.value), aggregatorAudits }, null, 1),
      )
    }
    expect(got.length, `one outcome per record of ${corrId}`).toBe(outcomes.length)
    if (!outcomes.includes('any')) expect(got.sort(), `outcomes of ${corrId}: ${aggregatorAudits.filter((a) => a.corr_id === corrId).map((a) => a.reason).join(" / ")}`).toEqual([...outcomes].sort())
  }

  // The detector: exactly the accounts that breached, each KILL well formed and a KILL.
  const detectorKills = commands
    .filter((c) => c.value.triggered_by === 'detector' && c.value.reason !== 'model')
    .map((c) => c.value)
  for (const kill of detectorKills) {
    expect(killCommandSchema.safeParse(kill).success, JSON.stringify(kill)).toBe(true)
    expect(kill.action).toBe('KILL')
  }
  for (const account of ACCOUNTS) {
    if (model.touched.has(account)) continue
    const kills = detectorKills.filter((kill) => kill.scope === `ACCOUNT:${account}`)
    expect(kills.length, `detector KILLs of ${account} (${model.validCount.get(account) ?? 0} orders)`).toBe(
      model.breached(account) ? 1 : 0,
    )
  }

  // The final state is the model's.
  const view = await loop.log.readCompacted(KILL_STATE)
  const final = new Map<string, string>()
  for (const record of view.records.values()) {
    const change = decodeStateRecord(record)
    if (change.type === 'state') final.set(change.state.scope, change.state.status)
  }
  for (const [scope, state] of model.scopes) {
    if ([...model.uncertain].some((account) => scope === `ACCOUNT:${account}`)) continue
    expect(final.get(scope), scope).toBe(state.status)
  }

  // A bad state record is never ignored silently.
  for (const offset of badStates) {
    expect(
      letters.some((l) => l.source_topic === KILL_STATE && l.offset === offset),
      `dead letter for state ${offset}`,
    ).toBe(true)
  }
}

describe('the decision path against a reference model', () => {
  it(
    `holds its invariants over random runs (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 24 }), async (steps) =>
          runScenario(steps, () => Loop.start(SETTINGS, LIMITS)),
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true, verbose: 0, ...(PATH === undefined ? {} : { path: PATH }) },
      )
    },
    Math.max(120_000, RUNS * 30_000),
  )

  // The same scenarios on the processors' pure steps alone: what the TopologyTestDriver decides must hold the same
  // invariants as the real loop, and without I/O ten times the runs take less time.
  it(
    `holds them on the TopologyTestDriver too (seed ${SEED}, ${RUNS * 10} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 24 }), async (steps) =>
          runScenario(steps, async () => new DriverTopology(SETTINGS, LIMITS)),
        ),
        { seed: SEED, numRuns: RUNS * 10, endOnFailure: true, verbose: 0, ...(PATH === undefined ? {} : { path: PATH }) },
      )
    },
    Math.max(120_000, RUNS * 10_000),
  )
})
