import { localOrigin } from '../processors/operator-trail.js'
import { auditSchema, creditWarningSchema } from '../contracts/messages.js'
import { decodeJson, decodeOrderJson } from '../contracts/decode.js'
import { loadLimitsTopology } from '../config/limits-topology.js'
import { referencePriceSchema } from '../contracts/risk-limits.js'
import type { AuditRecord } from '../domain/audit-record.js'
import type { CheckCode } from '../domain/pretrade/check-codes.js'
import type { Order } from '../domain/order.js'
import { referencePriceOf } from '../generator/order-factory.js'
import type { LogRecord, TopicPartitionOffset } from '../log/port.js'
import { queryAudit } from '../services/audit.js'
import { generateOrders, publishReferencePrices } from '../services/generate.js'
import { requestLimits } from '../services/limits.js'
import { produceLines } from '../services/produce.js'
import { AUDIT, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_SIGNALS } from '../../topologies/topics.js'
import type { DemoContext, DemoPart } from './demo-context.js'

/** A new client's account, outside the generator's 10001-10020 and the runaways: its orders are only the demo's. */
export const FAT_FINGER_ACCOUNT = '20001'
/** The account that walks up its credit line; its own, so that no other flow spends it. */
export const CREDIT_ACCOUNT = '20002'
export const FAT_FINGER_MAX_NOTIONAL = 250_000
export const DEMO_CREDIT_LIMIT = 50_000
const AUDIT_WAIT_SECONDS = 15
/**
 * The credit walk's stream: AAPL, GOOGL, MSFT and AMZN only (SYMBOL:TSLA may be killed by then), 5 orders a second
 * for at most 18 s: never more than 90 orders in the detector's 60 s window (its threshold is 100), and a few
 * thousand of notional each, so the credit line, not the detector, stops the account.
 */
const WALK = { rate: 5, durationSeconds: 18, symbols: 4 } as const
const WALK_SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN'] as const

const REMEDIES_NO_DECISION = [
  'Check the router: `riskctl up` must be running (its status line counts orders in).',
  'Check the order reached orders.v1: riskctl tail orders.v1 --from beginning --no-follow',
]

const REMEDIES_LIMITS = [
  'Check the aggregator: `riskctl up` must be running; it applies limits commands to risk_limits.v1.',
  'See what is in force: riskctl limits show',
]

function money(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 })
}

/** The line students can retype to send the same order (with another order_id: a reused one is a DUPLICATE). */
function produceCommand(c: DemoContext, order: Order): string {
  return `echo '${JSON.stringify(order)}' | ${c.cli} produce orders.v1`
}

/** Sends one order the way `riskctl produce orders.v1` does: validated against the contract, keyed by account. */
async function produceOrder(c: DemoContext, order: Order): Promise<void> {
  const line = JSON.stringify(order)
  const result = await produceLines(c.log, {
    topic: ORDERS,
    lines: (async function* () {
      yield line
    })(),
    validate: true,
  })
  const rejected = result.rejected[0]
  if (rejected !== undefined) throw new Error(`orders.v1 refused the demo's order: ${rejected.problem}`)
}

function decodeAudit(record: LogRecord): AuditRecord | undefined {
  const decoded = decodeJson(auditSchema, record.value)
  return decoded.ok ? (decoded.value as AuditRecord) : undefined
}

/** The router's decision of `orderId`, read on audit.v1 from `from` as it is written; undefined after `seconds`. */
async function decisionOf(c: DemoContext, from: readonly TopicPartitionOffset[], orderId: string, seconds: number): Promise<AuditRecord | undefined> {
  const consumer = await c.log.consumer({ topics: [AUDIT], from: { type: 'offsets', offsets: from } })
  const deadline = Date.now() + seconds * 1000
  try {
    while (Date.now() < deadline && !c.signal.aborted) {
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 100 })) {
        if (record.key !== orderId) continue
        const audit = decodeAudit(record)
        if (audit?.service === 'router' && audit.order_id === orderId) return audit
      }
    }
    return undefined
  } finally {
    await consumer.close()
  }
}

function auditLine(a: AuditRecord): string {
  return `${a.decision}  ${a.account_id}  ${a.symbol}  ${a.order_id}  check ${a.check ?? 'null'}  ${a.reason}`
}

/** Sends one order, waits for its audit record and says whether the expected check dropped it. */
async function showDrop(c: DemoContext, order: Order, expected: CheckCode): Promise<boolean> {
  c.emit({ type: 'command', line: produceCommand(c, order) })
  const from = await c.log.endOffsets([AUDIT])
  await produceOrder(c, order)
  const audit = await decisionOf(c, from, order.order_id, AUDIT_WAIT_SECONDS)
  if (audit === undefined) {
    if (!c.signal.aborted) c.emit({ type: 'problem', text: `No decision for ${order.order_id} after ${AUDIT_WAIT_SECONDS} s.`, remedies: REMEDIES_NO_DECISION })
    return false
  }
  c.emit({ type: 'command', line: `${c.cli} audit --check ${expected} --account ${order.account_id} --limit 1` })
  c.emit({ type: 'show', text: auditLine(audit) })
  if (audit.decision !== 'DROP' || audit.check !== expected) {
    c.emit({
      type: 'problem',
      text: `${order.order_id} was not dropped by ${expected}: ${audit.decision}, check ${audit.check ?? 'null'}.`,
      remedies: ['See the account\'s limits: riskctl limits show', 'See the reference prices: riskctl tail reference_prices.v1 --from beginning --no-follow'],
    })
    return false
  }
  c.emit({ type: 'ok', text: `${order.order_id} is dropped by ${expected}: it never reached the market.` })
  return true
}

/** A SET_LIMITS through the real path (the aggregator applies it), confirmed once its record is on risk_limits.v1. */
async function setLimits(c: DemoContext, scope: string, flags: string, input: { maxNotional?: string; credit?: string }, reason: string): Promise<boolean> {
  c.emit({ type: 'command', line: `${c.cli} limits set ${scope} ${flags} --reason "${reason}"` })
  const outcome = await requestLimits(async () => c.log, { scope, reason, operator: c.operator, ...input }, { wait: true, signal: c.signal, origin: localOrigin('cli') })
  if (outcome.outcome === 'published') {
    c.emit({ type: 'problem', text: `The change of ${scope} was published but not confirmed.`, remedies: REMEDIES_LIMITS })
    return false
  }
  const record = outcome.record
  if (record === undefined) {
    c.emit({ type: 'problem', text: `${scope} has no limits record on risk_limits.v1.`, remedies: REMEDIES_LIMITS })
    return false
  }
  c.emit({ type: 'command', line: `${c.cli} limits show ${scope}` })
  const limits = Object.entries(record.limits).map(([field, value]) => `${field}=${Array.isArray(value) ? value.join(',') : String(value)}`)
  c.emit({ type: 'show', text: `${record.scope}  ${limits.join(' ')}  by ${record.updated_by}  — ${record.reason}` })
  c.emit({ type: 'ok', text: `On risk_limits.v1: every router reads it before it decides ${scope}'s next order.` })
  return true
}

async function fatFinger(c: DemoContext, tag: string): Promise<void> {
  c.emit({ type: 'say', text: `Account ${FAT_FINGER_ACCOUNT} is a new client: it starts small, ${money(FAT_FINGER_MAX_NOTIONAL)} at most per order.` })
  const set = await setLimits(c, `ACCOUNT:${FAT_FINGER_ACCOUNT}`, `--max-notional ${FAT_FINGER_MAX_NOTIONAL}`, { maxNotional: String(FAT_FINGER_MAX_NOTIONAL) }, 'new client, start small')
  if (!set) return
  await c.pause(10_000)
  const price = referencePriceOf('AAPL')
  c.emit({ type: 'say', text: `Its trader means 200 AAPL and types 2000: a fat finger, ${money(2000 * price)} of notional. Change the order_id to send it again: a reused one is a DUPLICATE.` })
  await showDrop(c, order(tag, 'ff', FAT_FINGER_ACCOUNT, 'AAPL', 'BUY', 2000, price), 'MAX_ORDER_NOTIONAL')
  await c.pause(20_000)
}

async function collar(c: DemoContext, tag: string): Promise<void> {
  const reference = referencePriceOf('MSFT')
  const pct = loadLimitsTopology().defaults.collar_pct
  const price = Math.round(reference * 0.8 * 100) / 100
  c.emit({
    type: 'say',
    text: `MSFT's reference price is ${reference}; the collar lets through prices within ${pct ?? '?'}% of it. An order at ${price}, 20% below, is a typo or a runaway quote.`,
  })
  await showDrop(c, order(tag, 'collar', FAT_FINGER_ACCOUNT, 'MSFT', 'SELL', 100, price), 'PRICE_COLLAR')
  await c.pause(20_000)
}

interface Walk {
  allowed: number
  used: number
  drop: AuditRecord | undefined
}

async function creditLadder(c: DemoContext): Promise<void> {
  c.emit({
    type: 'say',
    text: `Credit: the gross notional an account may have let through in one trading day. Account ${CREDIT_ACCOUNT} gets a small line: ${money(DEMO_CREDIT_LIMIT)}.`,
  })
  const scope = `ACCOUNT:${CREDIT_ACCOUNT}`
  const set = await setLimits(c, scope, `--credit ${DEMO_CREDIT_LIMIT}`, { credit: String(DEMO_CREDIT_LIMIT) }, 'demo: a small credit line')
  if (!set) return
  await c.pause(10_000)
  c.emit({
    type: 'say',
    text: `Now its algorithm trades: every order it lets through spends credit, until the next one would pass the line. At 50, 75 and 90% the router writes a CREDIT_WARNING risk signal (Nasdaq's ladder), shown in the TUI header.`,
  })
  c.emit({
    type: 'command',
    line: `${c.cli} generate --mode normal --account ${CREDIT_ACCOUNT} --symbols ${WALK.symbols} --rate ${WALK.rate} --duration ${WALK.durationSeconds}`,
  })
  const from = await c.log.endOffsets([AUDIT, ORDERS_GATED, RISK_SIGNALS])
  const stream = new AbortController()
  const stop = (): void => stream.abort()
  c.signal.addEventListener('abort', stop, { once: true })
  const generating = generateOrders(c.log, {
    mode: 'normal',
    account: CREDIT_ACCOUNT,
    symbols: WALK.symbols,
    ratePerSecond: WALK.rate,
    durationSeconds: WALK.durationSeconds,
    seed: 20_002,
    signal: stream.signal,
  }).finally(() => c.signal.removeEventListener('abort', stop))
  let walk: Walk
  try {
    walk = await walkToTheLine(c, from, generating)
  } finally {
    stream.abort()
    await generating.catch(() => undefined)
  }
  if (c.signal.aborted) return
  if (walk.drop === undefined) {
    c.emit({
      type: 'problem',
      text: `No order of ${CREDIT_ACCOUNT} was dropped by CREDIT_LIMIT (${walk.allowed} let through, ${money(walk.used)} used).`,
      remedies: [...REMEDIES_NO_DECISION, `See its line: riskctl limits show ${scope}`],
    })
    return
  }
  c.emit({ type: 'show', text: auditLine(walk.drop) })
  if (walk.allowed === 0) {
    c.emit({ type: 'say', text: `Its first order was already over the line: ${CREDIT_ACCOUNT} spent its credit earlier today (this data dir ran the demo before).` })
  }
  c.emit({ type: 'ok', text: `${walk.allowed} orders let through, ${money(walk.used)} used; the next is dropped by CREDIT_LIMIT, and so is every one after it that does not fit, until the trading day ends or the line is raised.` })
  await c.pause(10_000)
  c.emit({ type: 'command', line: `${c.cli} audit --check CREDIT_LIMIT --account ${CREDIT_ACCOUNT}` })
  const drops = await queryAudit(c.log, c.dataDir, { check: 'CREDIT_LIMIT', account: CREDIT_ACCOUNT, limit: 5 })
  c.emit({ type: 'show', text: drops.map(auditLine).join('\n') || '(none yet)' })
  c.emit({ type: 'say', text: 'Raising the line is an operator\'s act only, as UNKILL is; --expires 2h makes it temporary.' })
  c.emit({ type: 'command', line: `${c.cli} limits set ${scope} --credit 5000000 --expires 2h --reason "block trade approved by risk"` })
  await c.pause(20_000)
}

/**
 * Follows what the router writes for the credit account: each order it lets through (orders.gated.v1) spends its
 * notional, each step of Nasdaq's ladder it passes is the router's CREDIT_WARNING on risk_signals.v1 (shown as it
 * comes), up to the first CREDIT_LIMIT drop (audit.v1).
 * Ends at that drop, once both topics are read to where they ended then, or when the stream has ended and every
 * decision of it was read.
 */
async function walkToTheLine(c: DemoContext, from: readonly TopicPartitionOffset[], generating: Promise<unknown>): Promise<Walk> {
  const walk: Walk = { allowed: 0, used: 0, drop: undefined }
  let streamDone = false
  void generating.then(
    () => (streamDone = true),
    () => (streamDone = true),
  )
  const consumer = await c.log.consumer({ topics: [AUDIT, ORDERS_GATED, RISK_SIGNALS], from: { type: 'offsets', offsets: from } })
  const read = (records: readonly LogRecord[]): void => {
    for (const record of records) {
      if (record.topic === ORDERS_GATED) {
        const gated = decodeOrderJson(record.value)
        if (!gated.ok || gated.value.account_id !== CREDIT_ACCOUNT) continue
        walk.allowed += 1
        walk.used += gated.value.qty * gated.value.price
      } else if (record.topic === RISK_SIGNALS) {
        const warning = decodeJson(creditWarningSchema, record.value)
        if (!warning.ok || warning.value.account_id !== CREDIT_ACCOUNT) continue
        c.emit({
          type: 'show',
          text: `risk_signals.v1 CREDIT_WARNING ${CREDIT_ACCOUNT}: ${warning.value.percent}% of the line, ${money(warning.value.used_notional)} of ${money(warning.value.credit_limit)} used`,
        })
      } else if (walk.drop === undefined) {
        const audit = decodeAudit(record)
        if (audit?.service === 'router' && audit.account_id === CREDIT_ACCOUNT && audit.check === 'CREDIT_LIMIT') walk.drop = audit
      }
    }
  }
  const readTo = async (ends: readonly TopicPartitionOffset[]): Promise<void> => {
    const reached = (): boolean =>
      ends.every((end) => (consumer.positions().find((p) => p.topic === end.topic && p.partition === end.partition)?.offset ?? 0) >= end.offset)
    while (!reached() && !c.signal.aborted) read(await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 }))
  }
  try {
    let quietSince: number | undefined
    while (walk.drop === undefined && !c.signal.aborted) {
      read(await consumer.poll({ maxRecords: 5000, maxWaitMs: 100 }))
      if (!streamDone) continue
      // The stream has ended: its last decisions take a moment to be written.
      quietSince ??= Date.now()
      if (Date.now() - quietSince > AUDIT_WAIT_SECONDS * 1000) break
    }
    // The drop may be read before the last allowed orders before it: read both topics to where they end now.
    if (walk.drop !== undefined) await readTo(await c.log.endOffsets([AUDIT, ORDERS_GATED, RISK_SIGNALS]))
    return walk
  } finally {
    await consumer.close()
  }
}

function order(tag: string, kind: string, account: string, symbol: string, side: Order['side'], qty: number, price: number): Order {
  return { order_id: `${kind}-${tag}`, ts: Date.now(), account_id: account, symbol, side, qty, price, strategy: 'manual' }
}

/**
 * The checks before the kill switch (ADR 0014), each shown with the command students can retype: a fat-finger order
 * over its account's notional cap, a price outside the collar, and an account walking up its credit line to a block.
 */
export const pretradeChecks: DemoPart = {
  id: 'pretrade',
  title: 'Part 8 · Pre-trade checks: fat finger, price collar, credit line',
  minutes: 4,
  async run(c) {
    c.emit({
      type: 'say',
      text: 'The kill switch is the last line. Before it, every order passes the checks SEC Rule 15c3-5 (c)(1) names: size, price, duplicates, rate, credit. A drop names its check in the audit record\'s `check` field.',
    })
    // The collar needs a fresh reference price for the symbols the orders below use.
    await publishReferencePrices(c.log, WALK_SYMBOLS, Date.now())
    c.emit({ type: 'command', line: `${c.cli} tail reference_prices.v1 --from beginning --no-follow` })
    const prices = await c.log.readCompacted(REFERENCE_PRICES)
    const shown = WALK_SYMBOLS.map((symbol) => {
      const price = decodeJson(referencePriceSchema, prices.records.get(symbol)?.value ?? null)
      return `${symbol} ${price.ok ? price.value.price : '(none)'}`
    })
    c.emit({ type: 'show', text: shown.join('  ·  ') })
    await c.pause(10_000)
    // Order ids of this run: the part can be run again (r) without its orders being DUPLICATEs of the last run's.
    const tag = Date.now().toString(36)
    await fatFinger(c, tag)
    if (c.signal.aborted) return
    await collar(c, tag)
    if (c.signal.aborted) return
    await creditLadder(c)
  },
}
