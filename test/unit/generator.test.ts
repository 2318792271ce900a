import { describe, expect, it } from 'vitest'
import { createOrderFactory, NORMAL_ACCOUNTS, PANIC_ACCOUNT, SYMBOLS } from '../../src/generator/order-factory.js'
import { ordersDue, scheduledTime, totalOrders } from '../../src/generator/pacing.js'
import { orderSchema } from '../../src/contracts/messages.js'

describe('generator pacing', () => {
  it('sends exactly rate × duration orders whatever the timer jitter', () => {
    const total = totalOrders(50, 10)
    expect(total).toBe(500)
    let sent = 0
    let elapsed = 0
    let seed = 1
    while (sent < total) {
      // Ticks of 1 to 60 ms, as a loaded machine gives them.
      seed = (seed * 48271) % 2147483647
      elapsed += 1 + (seed % 60)
      sent = Math.max(sent, ordersDue(50, elapsed, total))
    }
    expect(sent).toBe(500)
    expect(elapsed).toBeGreaterThanOrEqual(9_980)
    expect(ordersDue(50, 10_000_000, total)).toBe(500)
  })

  it('sends the first order at once and spaces event times evenly', () => {
    expect(ordersDue(50, 0, 500)).toBe(1)
    expect(ordersDue(50, 1000, 500)).toBe(51)
    expect(scheduledTime(1_000, 50, 0)).toBe(1_000)
    expect(scheduledTime(1_000, 50, 50)).toBe(2_000)
  })
})

describe('order factory', () => {
  it('is reproducible with a seed and produces valid orders', () => {
    const a = createOrderFactory({ mode: 'normal', seed: 42, runId: 'r' })
    const b = createOrderFactory({ mode: 'normal', seed: 42, runId: 'r' })
    const first = Array.from({ length: 50 }, (_, i) => a(i, 1_000 + i))
    expect(Array.from({ length: 50 }, (_, i) => b(i, 1_000 + i))).toEqual(first)
    for (const order of first) expect(orderSchema.safeParse(order).success).toBe(true)
    expect(new Set(first.map((o) => o.order_id)).size).toBe(50)
  })

  it('spreads normal flow over the accounts and symbols, and concentrates a panic on 12345', () => {
    const normal = createOrderFactory({ mode: 'normal', seed: 1 })
    const orders = Array.from({ length: 2000 }, (_, i) => normal(i, i))
    expect(new Set(orders.map((o) => o.account_id))).toEqual(new Set(NORMAL_ACCOUNTS))
    expect(new Set(orders.map((o) => o.symbol))).toEqual(new Set(SYMBOLS))

    const panic = createOrderFactory({ mode: 'panic', seed: 1 })
    const burst = Array.from({ length: 200 }, (_, i) => panic(i, i))
    expect(new Set(burst.map((o) => o.account_id))).toEqual(new Set([PANIC_ACCOUNT]))
    const tsla = burst.filter((o) => o.symbol === 'TSLA').length / burst.length
    // Below the 0.7 concentration threshold: the order-rate rule is the one that trips.
    expect(tsla).toBe(0.5)
    const meanQty = (list: typeof burst) => list.reduce((sum, o) => sum + o.qty, 0) / list.length
    expect(meanQty(burst)).toBeGreaterThan(meanQty(orders))
  })

  it('spreads a high-rate flow over as many accounts and symbols as asked, every order valid', () => {
    const wide = createOrderFactory({ mode: 'normal', seed: 3, accounts: 5000, symbols: 300 })
    const orders = Array.from({ length: 60_000 }, (_, i) => wide(i, i))
    const accounts = new Set(orders.map((o) => o.account_id))
    const symbols = new Set(orders.map((o) => o.symbol))
    expect(accounts.size).toBe(5000)
    expect(symbols.size).toBe(300)
    expect([...accounts].every((a) => Number(a) >= 10001 && Number(a) <= 15000)).toBe(true)
    expect(symbols.has('AAPL') && symbols.has('X9') && symbols.has('X300')).toBe(true)
    for (const order of orders.slice(0, 500)) expect(orderSchema.safeParse(order).success).toBe(true)
    // Fewer symbols than the list: its first ones.
    const narrow = createOrderFactory({ mode: 'normal', seed: 3, symbols: 2 })
    expect(new Set(Array.from({ length: 500 }, (_, i) => narrow(i, i).symbol))).toEqual(new Set(['AAPL', 'GOOGL']))
  })
})
