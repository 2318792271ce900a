import { describe, expect, it } from 'vitest'
import { effectiveLimits, loosenings } from '../../../../src/domain/pretrade/risk-limits.js'

describe('risk limits', () => {
  it('takes the account over the firm over the defaults, field by field', () => {
    const limits = effectiveLimits(
      { max_order_qty: 100, max_order_notional: 1000, credit_limit: 5 },
      { max_order_qty: 50, credit_limit: 10 },
      { max_order_qty: 500 },
    )
    expect(limits.max_order_qty).toBe(500)
    expect(limits.credit_limit).toBe(10)
    expect(limits.max_order_notional).toBe(1000)
    expect(limits.message_rate).toBeUndefined()
    expect(limits.allow_without_reference).toBe(false)
  })

  it('adds restricted lists up: an account cannot take a symbol off the firm list', () => {
    const limits = effectiveLimits({}, { restricted_symbols: ['XYZ'] }, { restricted_symbols: [] })
    expect([...limits.restricted_symbols]).toEqual(['XYZ'])
  })

  it.each([
    [{ max_order_qty: 10 }, { max_order_qty: 20 }, ['max_order_qty 10 → 20']],
    [{ max_order_qty: 10 }, {}, ['max_order_qty 10 → none']],
    [{ max_order_qty: 10 }, { max_order_qty: 5 }, []],
    [{}, { credit_limit: 5 }, []],
    [{ restricted_symbols: ['A', 'B'] }, { restricted_symbols: ['B'] }, ['restricted symbol A removed']],
    [{ restricted_symbols: ['A'] }, { restricted_symbols: ['A', 'C'] }, []],
    [{}, { allow_without_reference: true }, ['allow_without_reference false → true']],
    [{ collar_pct: 5, message_rate: 10 }, { collar_pct: 4, message_rate: 11 }, ['message_rate 10 → 11']],
  ])('tells a loosening from a tightening: %j → %j', (before, after, expected) => {
    expect(loosenings(before, after)).toEqual(expected)
  })
})
