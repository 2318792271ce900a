import { describe, expect, it } from 'vitest'
import { isRiskctlError } from '../../../src/errors.js'
import { buildLimitsCommand, type LimitsCommandInput } from '../../../src/processors/limits-command-input.js'

const NOW = Date.UTC(2026, 11, 4, 14, 0, 0)
let ids = 0
const context = { now: () => NOW, newId: () => `id-${++ids}` }
const base: LimitsCommandInput = { scope: 'ACCOUNT:1', reason: 'why', operator: 'alice' }

function refusal(input: LimitsCommandInput): { code: string; exitCode: number } {
  try {
    buildLimitsCommand(input, context)
  } catch (error) {
    if (isRiskctlError(error)) return { code: error.code, exitCode: error.exitCode }
    throw error
  }
  throw new Error('not refused')
}

describe("an operator's SET_LIMITS", () => {
  it('carries the channel as triggered_by, the operator named, and the limits as numbers', () => {
    const command = buildLimitsCommand(
      { ...base, scope: 'account:1', maxQty: '500', collarPct: '2.5', allowWithoutReference: false, restrict: ['tsla'], expires: '2h' },
      context,
    )
    expect(command).toMatchObject({
      scope: 'ACCOUNT:1',
      action: 'SET_LIMITS',
      limits: { max_order_qty: 500, collar_pct: 2.5, allow_without_reference: false },
      restrict: ['TSLA'],
      expires_ts: NOW + 2 * 60 * 60 * 1000,
      triggered_by: 'operator',
      operator: 'alice',
    })
  })

  it('refuses bad input as exit 2, each with its own code', () => {
    expect(refusal({ ...base, scope: 'SYMBOL:X', maxQty: '1' })).toEqual({ code: 'RISKCTL_SCOPE_INVALID', exitCode: 2 })
    expect(refusal({ ...base, maxQty: '-1' })).toEqual({ code: 'RISKCTL_LIMITS_INVALID', exitCode: 2 })
    expect(refusal({ ...base, maxQty: '1.5' })).toEqual({ code: 'RISKCTL_LIMITS_INVALID', exitCode: 2 })
    expect(refusal({ ...base, credit: '0x10' })).toEqual({ code: 'RISKCTL_LIMITS_INVALID', exitCode: 2 })
    expect(refusal({ ...base, maxNotional: '0' })).toEqual({ code: 'RISKCTL_LIMITS_INVALID', exitCode: 2 })
    expect(refusal({ ...base })).toEqual({ code: 'RISKCTL_LIMITS_NOTHING', exitCode: 2 })
    expect(refusal({ ...base, maxQty: '1', reason: '  ' })).toEqual({ code: 'RISKCTL_REASON_MISSING', exitCode: 2 })
    expect(refusal({ ...base, maxQty: '1', operator: 'al ice' })).toEqual({ code: 'RISKCTL_OPERATOR_INVALID', exitCode: 2 })
    expect(refusal({ ...base, maxQty: '1', expires: '0s' })).toEqual({ code: 'RISKCTL_SPAN_INVALID', exitCode: 2 })
    expect(refusal({ ...base, restrict: ['AAPL'], unrestrict: ['aapl'] })).toEqual({ code: 'RISKCTL_LIMITS_INVALID', exitCode: 2 })
  })
})
