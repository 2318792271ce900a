import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadLimitsTopology } from '../../../../src/config/limits-topology.js'
import { riskLimitsSchema } from '../../../../src/contracts/risk-limits.js'
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
