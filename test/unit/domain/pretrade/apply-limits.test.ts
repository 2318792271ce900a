import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyLimitsCommand, LIMITS_REVERTER } from '../../../../src/domain/pretrade/apply-limits.js'
import { enforcedLimits, type LimitsCommand, type LimitsRecord } from '../../../../src/domain/pretrade/limits-command.js'
import { loosenings } from '../../../../src/domain/pretrade/risk-limits.js'

const NOW = Date.parse('2026-12-07T15:00:00Z')
const HOUR = 3_600_000
let n = 0
const command = (fields: Partial<LimitsCommand>): LimitsCommand => ({
  cmd_id: `c-${(n += 1)}`,
  ts: NOW,
  scope: 'ACCOUNT:A',
  action: 'SET_LIMITS',
  reason: 'test',
  triggered_by: 'operator',
  operator: 'alice',
  corr_id: `k-${n}`,
  ...fields,
})
const never = () => false

function apply(current: LimitsRecord | undefined, cmd: LimitsCommand, now = NOW): LimitsRecord {
  const outcome = applyLimitsCommand(current, never, cmd, now)
  if (outcome.type !== 'applied') throw new Error(`${outcome.type}: ${outcome.reason}`)
  return outcome.record
}

describe('applying a limits command', () => {
  it('sets the fields a command names and keeps the others', () => {
    const first = apply(undefined, command({ limits: { max_order_qty: 100, credit_limit: 5000 } }))
    const second = apply(first, command({ limits: { max_order_qty: 50 } }))
    expect(second.limits).toEqual({ max_order_qty: 50, credit_limit: 5000 })
  })

  it('adds to and takes off the restricted list', () => {
    const first = apply(undefined, command({ restrict: ['TSLA', 'NVDA'] }))
    expect(first.limits.restricted_symbols).toEqual(['NVDA', 'TSLA'])
    const second = apply(first, command({ unrestrict: ['TSLA'] }))
    expect(second.limits.restricted_symbols).toEqual(['NVDA'])
  })

  it.each([
    ['the detector', { triggered_by: 'detector', operator: undefined }],
    ['a source that names no operator', { operator: undefined }],
    ['a misspelt operator channel', { triggered_by: 'Operator' }],
  ])('lets %s tighten but never loosen', (_, who) => {
    const current = apply(undefined, command({ limits: { max_order_qty: 100 }, restrict: ['TSLA'] }))
    expect(applyLimitsCommand(current, never, command({ ...who, limits: { max_order_qty: 10 } }), NOW).type).toBe('applied')
    const raise = applyLimitsCommand(current, never, command({ ...who, limits: { max_order_qty: 1000 } }), NOW)
    expect(raise.type).toBe('refused')
    expect(applyLimitsCommand(current, never, command({ ...who, unrestrict: ['TSLA'] }), NOW).type).toBe('refused')
    // Tightening one field and loosening another is refused whole.
    expect(applyLimitsCommand(current, never, command({ ...who, limits: { max_order_qty: 1000, credit_limit: 1 } }), NOW).type).toBe('refused')
  })

  it('refuses a loosening older than the record, and a scope that is not the firm or an account', () => {
    const current = apply(undefined, command({ limits: { max_order_qty: 100 } }))
    expect(applyLimitsCommand(current, never, command({ ts: NOW - 1, limits: { max_order_qty: 200 } }), NOW).type).toBe('refused')
    expect(applyLimitsCommand(undefined, never, command({ scope: 'SYMBOL:TSLA', limits: { max_order_qty: 1 } }), NOW).type).toBe('refused')
  })

  it('handles a cmd_id once', () => {
    const cmd = command({ limits: { max_order_qty: 100 } })
    const current = apply(undefined, cmd)
    expect(applyLimitsCommand(current, never, cmd, NOW).type).toBe('duplicate')
    expect(applyLimitsCommand(undefined, (id) => id === cmd.cmd_id, cmd, NOW).type).toBe('duplicate')
  })

  it('reverts a temporary raise at its expiry, on the router clock, whether or not the revert has come', () => {
    const base = apply(undefined, command({ limits: { max_order_qty: 100 } }))
    const raise = command({ limits: { max_order_qty: 500 }, expires_ts: NOW + 2 * HOUR })
    const temporary = apply(base, raise)
    expect(enforcedLimits(temporary, NOW + HOUR).max_order_qty).toBe(500)
    expect(enforcedLimits(temporary, NOW + 2 * HOUR).max_order_qty).toBe(100)
    const reverted = apply(temporary, command({ action: 'REVERT_LIMITS', reverts: raise.cmd_id, triggered_by: LIMITS_REVERTER, operator: undefined }), NOW + 2 * HOUR)
    expect(reverted.limits.max_order_qty).toBe(100)
    expect(reverted.expires_ts).toBeUndefined()
    // A second revert of the same change changes nothing.
    const again = applyLimitsCommand(reverted, never, command({ action: 'REVERT_LIMITS', reverts: raise.cmd_id, triggered_by: LIMITS_REVERTER, operator: undefined }), NOW + 3 * HOUR)
    expect(again.type).toBe('duplicate')
  })

  it('keeps stacked temporary changes reverting to the last permanent limits', () => {
    const base = apply(undefined, command({ limits: { max_order_qty: 100 } }))
    const first = apply(base, command({ limits: { max_order_qty: 300 }, expires_ts: NOW + HOUR }))
    const second = apply(first, command({ limits: { credit_limit: 9000 }, expires_ts: NOW + 2 * HOUR }))
    expect(enforcedLimits(second, NOW).max_order_qty).toBe(300)
    expect(enforcedLimits(second, NOW + 2 * HOUR)).toEqual({ max_order_qty: 100 })
  })

  it('applies a permanent change under a temporary one to what it reverts to as well', () => {
    const base = apply(undefined, command({ limits: { max_order_qty: 100, credit_limit: 5000 } }))
    const temporary = apply(base, command({ limits: { max_order_qty: 500 }, expires_ts: NOW + HOUR }))
    const permanent = apply(temporary, command({ limits: { credit_limit: 1000 } }))
    expect(enforcedLimits(permanent, NOW).max_order_qty).toBe(500)
    expect(enforcedLimits(permanent, NOW + HOUR)).toEqual({ max_order_qty: 100, credit_limit: 1000 })
  })

  it('lets no command from outside the operator channel end with looser limits in force than before', () => {
    const limitsArb = fc.record(
      { max_order_qty: fc.integer({ min: 1, max: 1000 }), credit_limit: fc.integer({ min: 0, max: 1000 }), message_rate: fc.integer({ min: 1, max: 100 }) },
      { requiredKeys: [] },
    )
    const symbols = fc.subarray(['A', 'B', 'C'])
    fc.assert(
      fc.property(limitsArb, symbols, limitsArb, symbols, symbols, fc.boolean(), (start, startList, asked, restrict, unrestrict, temporary) => {
        const current = apply(undefined, command({ limits: start, restrict: startList }))
        const cmd = command({
          triggered_by: 'detector',
          operator: undefined,
          limits: asked,
          restrict,
          unrestrict,
          ...(temporary ? { expires_ts: NOW + HOUR } : {}),
        })
        const outcome = applyLimitsCommand(current, never, cmd, NOW)
        if (outcome.type !== 'applied') return
        for (const at of [NOW, NOW + 2 * HOUR]) {
          expect(loosenings(enforcedLimits(current, at), enforcedLimits(outcome.record, at))).toEqual([])
        }
      }),
    )
  })
})
