import { expect } from 'vitest'
import { decodeJson, decodeOrder } from '../../src/contracts/decode.js'
import { auditSchema, deadLetterSchema } from '../../src/contracts/messages.js'
import type { Order } from '../../src/domain/order.js'
import { reconcile, type DecisionRow, type OrderFacts } from '../../src/domain/reconciliation.js'
import type { LogRecord } from '../../src/log/port.js'
import { AUDIT, DEAD_LETTERS, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import type { TopologyUnderTest } from './loop.js'

const at = (record: LogRecord) => `${record.partition}:${record.offset}`
const facts = (order: Order): OrderFacts => ({
  account_id: order.account_id,
  symbol: order.symbol,
  strategy: order.strategy,
  side: order.side,
  qty: order.qty,
  price: order.price,
})

/**
 * What `riskctl reconcile` finds in the log a run left, once every processor has settled: nothing. Every order decided
 * once or dead-lettered, each decision of its own order, the forwards exactly the ALLOWs and as ordered. (Whether an
 * ALLOW came after a KILL is the model's own check, against what it allowed; the grace is left out here.)
 */
export async function expectReconciled(loop: TopologyUnderTest): Promise<void> {
  const orders = await loop.readAll(ORDERS)
  const decisions: DecisionRow[] = (await loop.readAll(AUDIT)).flatMap((record) => {
    const audit = decodeJson(auditSchema, record.value)
    if (!audit.ok || audit.value.order_id === '') return []
    const a = audit.value
    return [
      {
        at: at(record),
        order_offset: a.order_offset,
        order_id: a.order_id,
        decision: a.decision,
        check: a.check,
        account_id: a.account_id,
        symbol: a.symbol,
        strategy: a.strategy,
        scope_matches: a.scope_matches,
        ts: a.ts,
      },
    ]
  })
  const letters = (await loop.readAll(DEAD_LETTERS)).flatMap((record) => {
    const letter = decodeJson(deadLetterSchema, record.value)
    return letter.ok && letter.value.source_topic === ORDERS
      ? [{ at: at(record), source: letter.value.offset }]
      : []
  })
  const gated = (await loop.readAll(ORDERS_GATED)).map((record) => {
    const order = decodeOrder(record.value)
    return {
      at: at(record),
      order_id: order.ok ? order.value.order_id : undefined,
      ts: record.timestamp,
      facts: order.ok ? facts(order.value) : undefined,
    }
  })
  const committed = new Map<number, number>()
  for (const order of orders)
    committed.set(order.partition, Math.max(committed.get(order.partition) ?? 0, order.offset + 1))
  const result = reconcile({
    orders: orders.map((record) => {
      const order = decodeOrder(record.value)
      return {
        at: at(record),
        partition: record.partition,
        offset: record.offset,
        order_id: order.ok ? order.value.order_id : undefined,
        ts: record.timestamp,
        facts: order.ok ? facts(order.value) : undefined,
      }
    }),
    elsewhere: [],
    decisions,
    letters,
    gated,
    changes: [],
    committed,
    damaged: [],
    fromMs: Number.NEGATIVE_INFINITY,
    toMs: Number.POSITIVE_INFINITY,
    graceMs: Number.POSITIVE_INFINITY,
    stallMs: Number.POSITIVE_INFINITY,
    nowMs: Number.POSITIVE_INFINITY,
  })
  expect(result.breaks, 'riskctl reconcile finds nothing to report').toEqual([])
  expect(result.decided + result.dead_lettered).toBe(orders.length)
}
