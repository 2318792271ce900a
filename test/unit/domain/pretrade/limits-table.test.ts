import { describe, expect, it } from 'vitest'
import type { LimitsRecord } from '../../../../src/domain/pretrade/limits-command.js'
import { LimitsTable } from '../../../../src/domain/pretrade/limits-table.js'

const NOW = Date.parse('2026-12-07T15:00:00Z')
const record = (scope: string, fields: Partial<LimitsRecord>): LimitsRecord => ({
  scope,
  limits: {},
  updated_ts: NOW,
  updated_by: 'alice',
  reason: 'test',
  last_cmd_id: `c-${scope}`,
  corr_id: 'k',
  ...fields,
})

describe('the limits table', () => {
  it('gives an account its own limits over the firm over the defaults, and follows every change', () => {
    const table = new LimitsTable({ max_order_qty: 1000, credit_limit: 10 })
    expect(table.view.limitsFor('A', NOW).max_order_qty).toBe(1000)
    table.apply(record('GLOBAL', { limits: { max_order_qty: 500, restricted_symbols: ['TSLA'] } }))
    expect(table.view.limitsFor('A', NOW).max_order_qty).toBe(500)
    table.apply(record('ACCOUNT:A', { limits: { max_order_qty: 50 } }))
    const limits = table.view.limitsFor('A', NOW)
    expect(limits.max_order_qty).toBe(50)
    expect(limits.credit_limit).toBe(10)
    expect([...limits.restricted_symbols]).toEqual(['TSLA'])
    expect(table.view.limitsFor('B', NOW).max_order_qty).toBe(500)
    table.remove('ACCOUNT:A')
    expect(table.view.limitsFor('A', NOW).max_order_qty).toBe(500)
  })

  it('stops enforcing a temporary raise at its expiry, and again if the clock steps back and forth', () => {
    const table = new LimitsTable({ max_order_qty: 1000 })
    table.apply(record('ACCOUNT:A', { limits: { max_order_qty: 5000 }, expires_ts: NOW + 1000, reverts_to: { max_order_qty: 100 } }))
    expect(table.view.limitsFor('A', NOW).max_order_qty).toBe(5000)
    expect(table.view.limitsFor('A', NOW + 1000).max_order_qty).toBe(100)
    expect(table.view.limitsFor('A', NOW + 999).max_order_qty).toBe(5000)
    expect(table.view.limitsFor('A', NOW + 5000).max_order_qty).toBe(100)
  })
})
