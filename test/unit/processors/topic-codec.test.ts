import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../../src/domain/audit-record.js'
import type { RiskSignal } from '../../../src/domain/risk-signal.js'
import { deadLetter, encode } from '../../../src/processors/topic-codec.js'
import { AUDIT, RISK_SIGNALS } from '../../../topologies/topics.js'
import type { LogRecord } from '../../../src/log/port.js'

describe('deadLetter', () => {
  const record: LogRecord = {
    topic: 'orders.v1',
    partition: 2,
    offset: 41,
    key: '12345',
    value: Buffer.from('{"order_id":'),
    timestamp: 1_700_000_000_000,
    headers: {},
  }

  it('is keyed by the source topic, as dlq.v1 is specified, and carries what failed and why', () => {
    const letter = deadLetter(record, 'not JSON', 1_700_000_000_500)
    expect(letter.key).toBe('orders.v1')
    expect(JSON.parse(letter.value!.toString())).toEqual({
      ts: 1_700_000_000_500,
      source_topic: 'orders.v1',
      offset: '2:41',
      raw: '{"order_id":',
      error: 'not JSON',
    })
  })
})

/** Any text, and text made mostly of what JSON must escape: quotes, backslashes, controls, lone surrogates. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\ud800', '\udc00', 'é', 'a', '😀'), maxLength: 12 }),
)

describe('encode: audit records', () => {
  const audit = fc.record({
    ts: fc.oneof(fc.integer({ min: 0, max: 8.64e15 }), fc.double({ min: 0, max: 8.64e15, noNaN: true })),
    decision: fc.constantFrom('ALLOW', 'DROP', 'DUPLICATE', 'REFUSED', 'APPLIED' as const),
    order_id: text,
    account_id: text,
    symbol: text,
    strategy: text,
    scope_matches: fc.array(text, { maxLength: 4 }),
    killswitch_status: fc.constantFrom('ACTIVE', 'KILLED', 'THROTTLED' as const),
    reason: text,
    corr_id: text,
    check: fc.constantFrom(null, 'KILL_SWITCH' as const, 'CREDIT_LIMIT' as const),
    order_offset: fc.tuple(fc.nat(), fc.nat({ max: Number.MAX_SAFE_INTEGER })).map(([partition, offset]) => `${partition}:${offset}`),
    service: fc.constantFrom('router', 'aggregator'),
  }, { requiredKeys: ['ts', 'decision', 'order_id', 'account_id', 'symbol', 'strategy', 'scope_matches', 'killswitch_status', 'reason', 'corr_id', 'service'] }) satisfies fc.Arbitrary<AuditRecord>

  it('writes exactly the bytes JSON.stringify gives, quotes, control characters and lone surrogates included', () => {
    fc.assert(
      fc.property(audit, (value) => {
        const record = encode(AUDIT, value, { key: 'k', timestamp: 1 })
        expect(record.value!.toString('utf8')).toBe(JSON.stringify(value))
        expect(JSON.parse(record.value!.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(value)))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('encode: risk signals', () => {
  const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-324))
  const signal = fc.record({
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
  }) satisfies fc.Arbitrary<RiskSignal>

  it('writes exactly the bytes JSON.stringify gives, odd numbers and a missing top symbol included', () => {
    fc.assert(
      fc.property(signal, (value) => {
        expect(encode(RISK_SIGNALS, value).value!.toString('utf8')).toBe(JSON.stringify(value))
      }),
      { numRuns: 2000 },
    )
  })
})
