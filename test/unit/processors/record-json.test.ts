import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../../src/domain/audit-record.js'
import type { RiskSignal } from '../../../src/domain/risk-signal.js'
import { auditJson, signalJson } from '../../../src/processors/record-json.js'

// Strings of every kind JSON treats apart: quotes, backslashes, controls, lone and paired surrogates, U+2028.
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\ud800', '\udc00', 'é', 'a', '😀') }),
  fc.string(),
)
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0))

const audit: fc.Arbitrary<AuditRecord> = fc.record({
  ts: number,
  decision: fc.constantFrom('ALLOW', 'DROP', 'DUPLICATE'),
  order_id: text,
  account_id: text,
  symbol: text,
  strategy: text,
  scope_matches: fc.array(text, { maxLength: 4 }),
  killswitch_status: fc.constantFrom('ACTIVE', 'KILLED', 'THROTTLED'),
  reason: text,
  corr_id: text,
  service: text,
}) as fc.Arbitrary<AuditRecord>

const signal: fc.Arbitrary<RiskSignal> = fc.record({
  ts: number,
  account_id: text,
  window_start: number,
  window_end: number,
  order_count: number,
  total_notional: number,
  avg_notional: number,
  unique_symbols: number,
  top_symbol: fc.option(text, { nil: null }),
  top_symbol_share: number,
})

describe('record JSON', () => {
  it('writes an audit record byte for byte as JSON.stringify does', () => {
    fc.assert(
      fc.property(audit, (record) => {
        expect(auditJson(record)).toBe(JSON.stringify(record))
      }),
      { numRuns: 2000 },
    )
  })

  it('writes a risk signal byte for byte as JSON.stringify does', () => {
    fc.assert(
      fc.property(signal, (record) => {
        expect(signalJson(record)).toBe(JSON.stringify(record))
      }),
      { numRuns: 2000 },
    )
  })

  it('escapes what would end a string early or break a reader', () => {
    const record = { ts: 1, decision: 'DROP', order_id: 'a"b', account_id: 'c\\d', symbol: 'e\nf', strategy: '\ud800',
      scope_matches: [], killswitch_status: 'KILLED', reason: '\u0000', corr_id: '', service: 'router' } as AuditRecord
    expect(JSON.parse(auditJson(record))).toEqual(record)
    expect(auditJson(record)).toContain('"order_id":"a\\"b"')
  })
})
