import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadLimitsTopology } from '../../../../src/config/limits-topology.js'
import { limitsCommandSchema, referencePriceSchema, riskLimitsSchema } from '../../../../src/contracts/risk-limits.js'
import { RiskctlError } from '../../../../src/errors.js'

function topologyFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-limits-'))
  const file = path.join(dir, 'limits.json')
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

const valid = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../../../topologies/limits.json'), 'utf8')) as Record<string, unknown>

describe('the limits topology', () => {
  it('loads the shipped file', () => {
    const topology = loadLimitsTopology()
    expect(topology.defaults.max_order_qty).toBeGreaterThan(0)
    expect(topology.tradingDay.startHour).toBeGreaterThanOrEqual(0)
  })

  it.each([
    ['an unknown limit', { ...valid, defaults: { max_qty: 5 } }, 'max_qty'],
    ['a negative limit', { ...valid, defaults: { max_order_qty: -1 } }, 'max_order_qty'],
    ['a limit as text', { ...valid, defaults: { credit_limit: '1000' } }, 'credit_limit'],
    ['a collar over 100%', { ...valid, defaults: { collar_pct: 150 } }, 'collar_pct'],
    ['an unknown time zone', { ...valid, tradingDay: { timeZone: 'Moon/Base', startHour: 0 } }, 'IANA time zone'],
    ['an hour out of range', { ...valid, tradingDay: { timeZone: 'UTC', startHour: 24 } }, 'startHour'],
    ['a restricted symbol that is no ticker', { ...valid, defaults: { restricted_symbols: ['A B'] } }, 'restricted_symbols'],
    ['not JSON', '{"defaults":', 'Cannot read'],
  ])('refuses %s, saying what is wrong', (_, content, says) => {
    const file = topologyFile(content)
    expect(() => loadLimitsTopology(file)).toThrow(RiskctlError)
    expect(() => loadLimitsTopology(file)).toThrow(says)
  })
})

describe('a set of limits', () => {
  it('keeps restricted symbols canonical, once each, so that a spelling cannot slip past the list', () => {
    const parsed = riskLimitsSchema.parse({ restricted_symbols: ['tsla', 'TSLA', 'NVDA'] })
    expect(parsed.restricted_symbols).toEqual(['NVDA', 'TSLA'])
  })

  it.each([[{ message_rate: 1.5 }], [{ max_order_notional: 0 }], [{ credit_limit: Infinity }], [{ collar_abs: Number.NaN }], [{ allow_without_reference: 'yes' }]])(
    'refuses %j',
    (limits) => {
      expect(riskLimitsSchema.safeParse(limits).success).toBe(false)
    },
  )
})

describe('a limits command as the commands topic carries it', () => {
  const command = {
    cmd_id: 'c-1',
    ts: 1_765_000_000_000,
    scope: 'ACCOUNT:acct-1',
    action: 'SET_LIMITS',
    limits: { max_order_qty: 500 },
    reason: 'desk request',
    triggered_by: 'operator',
    operator: 'alice',
    corr_id: 'k-1',
  }

  it('reads a well-formed SET and canonicalizes its scope and symbols', () => {
    const parsed = limitsCommandSchema.parse({ ...command, scope: 'account: ACCT-1 ', restrict: ['tsla'] })
    expect(parsed.scope).toBe('ACCOUNT:acct-1')
    expect(parsed.restrict).toEqual(['TSLA'])
  })

  it.each([
    ['an unknown field', { ...command, max_qty: 5 }, 'max_qty'],
    ['an unknown limit', { ...command, limits: { max_qty: 5 } }, 'max_qty'],
    ['a negative value', { ...command, limits: { max_order_qty: -5 } }, 'max_order_qty'],
    ['a value as text', { ...command, limits: { credit_limit: 'lots' } }, 'credit_limit'],
    ['a symbol scope', { ...command, scope: 'SYMBOL:TSLA' }, 'GLOBAL or ACCOUNT'],
    ['a scope that does not parse', { ...command, scope: 'DESK:7' }, 'scope'],
    ['no reason', { ...command, reason: undefined }, 'reason'],
    ['nothing to change', { ...command, limits: {} }, 'at least one'],
    ['a revert naming nothing', { ...command, action: 'REVERT_LIMITS' }, 'reverts'],
    ['a symbol restricted and unrestricted at once', { ...command, restrict: ['TSLA'], unrestrict: ['tsla'] }, 'TSLA'],
  ])('refuses %s, saying which field', (_, value, says) => {
    const parsed = limitsCommandSchema.safeParse(value)
    expect(parsed.success).toBe(false)
    expect(JSON.stringify(parsed.error?.issues)).toContain(says)
  })
})

describe('a reference price', () => {
  it.each([[{ price: 0 }], [{ price: -1 }], [{ price: Infinity }], [{ symbol: 'not a ticker' }], [{ extra: 1 }]])('refuses %j', (change) => {
    expect(referencePriceSchema.safeParse({ symbol: 'AAPL', price: 190.5, ts: 1, source: 'feed', ...change }).success).toBe(false)
  })
})
