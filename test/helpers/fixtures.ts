import type { Order } from '../../src/domain/order.js'

/** A valid order; tests override what they are about. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    order_id: 'o-1',
    ts: Date.now(),
    account_id: '12345',
    symbol: 'AAPL',
    side: 'BUY',
    qty: 100,
    price: 189.5,
    strategy: 'momentum',
    ...overrides,
  }
}
