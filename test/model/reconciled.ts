import { expect } from 'vitest'
import { decodeJson } from '../../src/contracts/decode.js'
import { auditSchema } from '../../src/contracts/messages.js'
import { reconcile, type DecisionRow, type LetterRow } from '../../src/domain/reconciliation.js'
import { decisionRow, gatedRow, letterRow, orderRow, position } from '../../src/services/reconcile-rows.js'
import { AUDIT, DEAD_LETTERS, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import type { TopologyUnderTest } from './loop.js'

/**
 * What `riskctl reconcile` finds in the log a run left, once every processor has settled: nothing. Every order decided
 * once or dead-lettered, each decision of its own order, the forwards exactly the ALLOWs and as ordered. (Whether an
 * ALLOW came after a KILL is the model's own check, against what it allowed; the grace is left out here.)
 */
export async function expectReconciled(loop: TopologyUnderTest): Promise<void> {
  const orders = (await loop.readAll(ORDERS)).map(orderRow)
  const decisions: DecisionRow[] = (await loop.readAll(AUDIT)).flatMap((record) => {
    const audit = decodeJson(auditSchema, record.value)
    return audit.ok && audit.value.order_id !== '' ? [decisionRow(position(record), audit.value)] : []
  })
  const letters = (await loop.readAll(DEAD_LETTERS))
    .map(letterRow)
    .filter((row): row is LetterRow => row !== undefined && !('error' in row))
  const committed = new Map<number, number>()
  for (const order of orders)
    committed.set(order.partition, Math.max(committed.get(order.partition) ?? 0, order.offset + 1))
  const result = reconcile({
    orders,
    elsewhere: [],
    decisions,
    letters,
    gated: (await loop.readAll(ORDERS_GATED)).map(gatedRow),
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
