import { describe, expect, it } from 'vitest'
import type { LimitsTopology } from '../../../src/config/limits-topology.js'
import type { LogRecord } from '../../../src/log/port.js'
import { RouterState } from '../../../src/processors/router-state.js'
import { ORDERS_GATED, REFERENCE_PRICES } from '../../../topologies/topics.js'
import { anOrder } from '../../helpers/fixtures.js'

const NOW = Date.UTC(2026, 11, 7, 15, 0, 0, 500)
const LIMITS: LimitsTopology = {
  tradingDay: { timeZone: 'UTC', startHour: 0 },
  referencePriceMaxAgeMs: 60_000,
  duplicativeWindowMs: 1000,
  defaults: { credit_limit: 30_000, message_rate: 2, collar_pct: 50, allow_without_reference: false },
}

function record(topic: string, key: string, value: object, timestamp: number, offset = 0): LogRecord {
  return { topic, partition: 0, offset, key, value: Buffer.from(JSON.stringify(value)), timestamp, headers: {} }
}

function restarted(stamps: readonly number[]): RouterState {
  const state = new RouterState(1000, LIMITS)
  state.loadPrices([record(REFERENCE_PRICES, 'AAPL', { symbol: 'AAPL', price: 100, ts: NOW, source: 'test' }, NOW)])
  const gated = stamps.map((stamp, i) =>
    record(ORDERS_GATED, 'a1', anOrder({ order_id: `g${i}`, account_id: 'a1', symbol: 'AAPL', qty: 100 - i, price: 100 }), stamp, i),
  )
  state.restoreSpending(gated, NOW, true)
  return state
}

describe('RouterState.restoreSpending', () => {
  it("counts orders stamped by a router whose clock ran ahead of this one's as let through now, never as nothing", () => {
    // The previous owner of the partition was 50 ms ahead: its last two decisions are stamped after this router's now.
    for (const stamps of [[NOW + 20, NOW + 40], [NOW - 30, NOW - 10]]) {
      const state = restarted(stamps)
      const resent = state.decide(anOrder({ order_id: 'again', account_id: 'a1', symbol: 'AAPL', qty: 100, price: 100 }), NOW + 1)
      expect(resent.check, `stamps ${stamps.map((s) => s - NOW).join(', ')}`).toBe('DUPLICATIVE')
      // Two let through this second already: the third is over the rate of 2, whatever the stamps say.
      const third = state.decide(anOrder({ order_id: 'third', account_id: 'a1', symbol: 'AAPL', qty: 150, price: 100 }), NOW + 2)
      expect(third.check).toBe('MESSAGE_RATE')
      // And the credit they spent (19,900) is counted: 15,000 more would pass the 30,000 line.
      const nextSecond = state.decide(anOrder({ order_id: 'big', account_id: 'a1', symbol: 'AAPL', qty: 150, price: 100 }), NOW + 1000)
      expect(nextSecond.check).toBe('CREDIT_LIMIT')
    }
  })

  it('counts nothing of an earlier trading day, and only the second of now towards the message rate', () => {
    const yesterday = NOW - 86_400_000
    const state = restarted([yesterday, NOW - 1600, NOW - 300])
    // Yesterday's 10,000 is not today's: 9,900 + 9,800 + 10,000 fits the 30,000 line.
    expect(state.decide(anOrder({ order_id: 'fits', account_id: 'a1', symbol: 'AAPL', qty: 100, price: 100 }), NOW).check).toBe(null)
    // One order this second (NOW - 300; NOW - 1600 is two seconds back), plus `fits`: the rate of 2 is used up.
    expect(state.decide(anOrder({ order_id: 'over', account_id: 'a1', symbol: 'AAPL', qty: 1, price: 100 }), NOW + 1).check).toBe('MESSAGE_RATE')
  })
})
