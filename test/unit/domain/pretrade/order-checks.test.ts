import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHECK_ORDER } from '../../../../src/domain/pretrade/check-codes.js'
import { collarBand, readOnlyChecks, type ReferencePrice } from '../../../../src/domain/pretrade/order-checks.js'
import { effectiveLimits, type RiskLimits } from '../../../../src/domain/pretrade/risk-limits.js'

const NOW = Date.parse('2026-12-07T15:00:00Z')
const AGE = 60_000
const fresh = (price: number): ReferencePrice => ({ price, at: NOW - 1000 })
const limits = (account: RiskLimits = {}, firm: RiskLimits = {}) =>
  effectiveLimits({ max_order_qty: 10_000, max_order_notional: 1_000_000, collar_pct: 5 }, firm, account)
const order = (qty: number, price: number, symbol = 'AAPL') => ({ symbol, qty, price })

describe('the checks that only read', () => {
  it.each([
    ['a plain order', order(100, 100), limits(), fresh(100), undefined],
    ['NaN quantity', order(Number.NaN, 100), limits(), fresh(100), 'ORDER_VALUE'],
    ['infinite price', order(1, Infinity), limits(), fresh(100), 'ORDER_VALUE'],
    ['zero quantity', order(0, 100), limits(), fresh(100), 'ORDER_VALUE'],
    ['a negative price', order(1, -5), limits(), fresh(100), 'ORDER_VALUE'],
    ['a notional past 10^15', order(1e9, 1e7), limits(), fresh(1e7), 'ORDER_VALUE'],
    ['a firm-restricted symbol', order(1, 100, 'XYZ'), limits({}, { restricted_symbols: ['XYZ'] }), fresh(100), 'RESTRICTED_SYMBOL'],
    ['an account-restricted symbol', order(1, 100, 'XYZ'), limits({ restricted_symbols: ['XYZ'] }), fresh(100), 'RESTRICTED_SYMBOL'],
    ['over the default quantity', order(10_001, 1), limits(), fresh(1), 'MAX_ORDER_QTY'],
    ['at the quantity limit', order(10_000, 1), limits(), fresh(1), undefined],
    ['over the account quantity', order(501, 1), limits({ max_order_qty: 500 }), fresh(1), 'MAX_ORDER_QTY'],
    ['over the notional', order(5000, 201), limits(), fresh(201), 'MAX_ORDER_NOTIONAL'],
    ['no reference price', order(1, 100), limits(), undefined, 'NO_REFERENCE_PRICE'],
    ['a stale reference price', order(1, 100), limits(), { price: 100, at: NOW - AGE - 1 }, 'NO_REFERENCE_PRICE'],
    ['a reference from the future', order(1, 100), limits(), { price: 100, at: NOW + 5000 }, 'NO_REFERENCE_PRICE'],
    ['no reference, allowed', order(1, 100), limits({ allow_without_reference: true }), undefined, undefined],
    ['above the collar', order(1, 105.01), limits(), fresh(100), 'PRICE_COLLAR'],
    ['below the collar', order(1, 94.99), limits(), fresh(100), 'PRICE_COLLAR'],
    ['on the collar edge', order(1, 105), limits(), fresh(100), undefined],
    ['inside an absolute floor', order(1, 0.6), limits({ collar_abs: 0.25 }), fresh(0.4), undefined],
  ] as const)('%s', (_, o, l, reference, expected) => {
    expect(readOnlyChecks(o, l, reference, NOW, AGE)?.check).toBe(expected)
  })

  it('reports the first failing check in the documented order', () => {
    const failing = readOnlyChecks(order(20_000, 1000, 'XYZ'), limits({}, { restricted_symbols: ['XYZ'] }), undefined, NOW, AGE)
    expect(failing?.check).toBe('RESTRICTED_SYMBOL')
    const order_ = CHECK_ORDER.indexOf('RESTRICTED_SYMBOL')
    expect(CHECK_ORDER.indexOf('MAX_ORDER_QTY')).toBeGreaterThan(order_)
    expect(CHECK_ORDER.indexOf('KILL_SWITCH')).toBeLessThan(order_)
  })

  it('never lets through an order whose value cannot be judged, whatever the limits', () => {
    const bad = fc.oneof(fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -1), fc.double({ max: 0 }))
    fc.assert(
      fc.property(bad, fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.boolean(), (value, other, swap) => {
        const o = swap ? order(value, other) : order(other, value)
        const open = effectiveLimits({ allow_without_reference: true }, undefined, undefined)
        expect(readOnlyChecks(o, open, undefined, NOW, AGE)?.check).toBe('ORDER_VALUE')
      }),
    )
  })

  it('passes an order inside its collar and refuses one outside it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        (reference, pct, price) => {
          const l = effectiveLimits({ collar_pct: pct }, undefined, undefined)
          const { low, high } = collarBand(reference, pct, undefined)
          const result = readOnlyChecks(order(1, price), l, fresh(reference), NOW, AGE)
          expect(result?.check).toBe(price < low || price > high ? 'PRICE_COLLAR' : undefined)
        },
      ),
    )
  })
})
