import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeOrder, decodeOrderJson, MAX_RECORD_BYTES } from '../../../src/contracts/decode.js'
import { plainOrder } from '../../../src/contracts/plain-order.js'
import type { DetectorOrder } from '../../../src/domain/detector.js'
import { createOrderFactory } from '../../../src/generator/order-factory.js'
import { detectorOrderOf, type AppendedRecord } from '../../../src/processors/detector-input.js'
import { encode } from '../../../src/processors/topic-codec.js'
import { ORDERS } from '../../../topologies/topics.js'
import { parityStream } from '../../spark/fixture/parity-stream.js'

/**
 * The router and the detector read plainly written orders without JSON.parse and zod (plainOrder). These hold
 * that reading to the contract's own decoder (decodeOrderJson): on every record, valid, oddly written or hostile,
 * decodeOrder accepts exactly what the contract accepts, with the same canonical identifiers and values, refuses
 * the rest with the contract's own reasons, and the detector counts exactly the orders the router does not
 * dead-letter.
 */
const RUNS = Number(process.env.RISKCTL_PLAIN_ORDER_RUNS ?? 3_000)
const SEED = 20_261_204
const APPENDED_AT = Date.UTC(2026, 11, 4, 14, 0, 0)

/** What the detector must make of the record: the contract's verdict, stamped with the append time. */
function contractOrderOf(record: AppendedRecord): DetectorOrder | undefined {
  const decoded = decodeOrderJson(record.value)
  if (!decoded.ok) return undefined
  const { account_id, symbol, qty, price } = decoded.value
  return { ts: record.timestamp, account_id, symbol, qty, price }
}

let plainlyRead = 0
let refused = 0

function expectSameAsContract(value: Buffer | string | null): void {
  const contract = decodeOrderJson(value)
  expect(decodeOrder(value), String(value)).toEqual(contract)
  const record = { value, timestamp: APPENDED_AT }
  expect(detectorOrderOf(record), String(value)).toEqual(contractOrderOf(record))
  if (Buffer.isBuffer(value)) {
    const plain = plainOrder(value)
    if (plain !== undefined) {
      plainlyRead++
      expect(contract.ok && contract.value, String(value)).toEqual(plain)
    }
  }
  if (!contract.ok) refused++
}

const FIELD_NAMES = ['order_id', 'ts', 'account_id', 'symbol', 'side', 'qty', 'price', 'strategy'] as const
type Field = (typeof FIELD_NAMES)[number]

/** A field's value as JSON text as nearly every client writes it: canonical, no escapes, plain numbers. */
const PLAIN: Readonly<Record<Field, fc.Arbitrary<string>>> = {
  order_id: fc.oneof(
    fc.constantFrom('"n-s11-42"', '"A!~z"', '"x"', `"${'o'.repeat(128)}"`),
    fc.nat().map((seq) => `"o-${seq}"`),
  ),
  ts: fc.oneof(
    fc.integer({ min: 0, max: 2 ** 45 }).map(String),
    fc.constantFrom('0', '1796628880754', '8640000000000000'),
  ),
  account_id: fc.constantFrom('"acct-7"', '"12345"', '"a.b_c-d"', `"${'a'.repeat(64)}"`, '"0"'),
  symbol: fc.constantFrom('"BRK.B"', '"A"', '"X1024"', '"ABCDEFGHIJ"', '"Z9."'),
  side: fc.constantFrom('"BUY"', '"SELL"'),
  qty: fc.oneof(
    fc.integer({ min: 1, max: 1_000_000 }).map(String),
    fc.constantFrom('1', '12.0', '999999999999999'),
  ),
  price: fc.oneof(
    fc.integer({ min: 1, max: 99_999 }).map((cents) => (cents / 100).toFixed(2)),
    fc.double({ min: 0.001, max: 1e6, noNaN: true }).map((price) => price.toPrecision(15).replace(/0+$/, '')),
    fc.constantFrom('0.1', '189.50', '0.000001', '123456789.012345', '1', '0.30000000000000'),
  ),
  strategy: fc.constantFrom('"market_making"', '"vwap"', '"arb"', '"mean_reversion"'),
}

/** A field's value that is valid but not plain: spellings to canonicalise, escapes, exponents, many digits. */
const ODD: Readonly<Record<Field, fc.Arbitrary<string>>> = {
  order_id: fc.constantFrom('"n-s11-42\\/"', '"\\u006e-1"', '" n-1 "'),
  ts: fc.constantFrom('-0', '1796628880754.0', '1.796628880754e12', '17966288807540e-1'),
  account_id: fc.constantFrom('" ACCT-7 "', '"ＡＣＣＴ－７"', '"Acct-7"', '"acct\\u002d7"'),
  symbol: fc.constantFrom('"tsla"', '" AAPL "', '"ＴＳＬＡ"', '"\\u0041A"'),
  side: fc.constantFrom('"B\\u0055Y"', '"SE\\u004cL"'),
  qty: fc.constantFrom('1e3', '1E+1', '9007199254740991', '10.00000000000000000'),
  price: fc.oneof(
    fc.double({ min: 0.001, max: 1e6, noNaN: true }).map(String),
    fc.constantFrom('1e300', '5e-324', '0.30000000000000004', '1234567890.1234567', '9007199254740993'),
    fc.constantFrom('1.5e2', '100.000000000000000001', '0.1000000000000001', '1234567890123456'),
  ),
  strategy: fc.constantFrom('"MOMENTUM"', '" arb\\t"', '"v\\u0077ap"'),
}

/** A field's value that some part of the contract refuses: wrong spelling, escapes, bytes, forms or types. */
const REFUSED: Readonly<Record<Field, fc.Arbitrary<string>>> = {
  order_id: fc.constantFrom(
    '""',
    '"a b"',
    '"ab\\u0020cd"',
    '"\\u0000x"',
    `"${'o'.repeat(129)}"`,
    '"é"',
    '7',
    'null',
  ),
  ts: fc.constantFrom(
    '-1',
    '-0.5',
    '1.5',
    '8640000000000001',
    '9007199254740993',
    '1e400',
    '"1"',
    '01',
    '1.',
    '.5',
    '-',
  ),
  account_id: fc.constantFrom(
    '""',
    '"acct-7\u200b"',
    '"acct-7\\u200b"',
    '"\u0430cct-7"',
    '"\\u0430cct-7"',
    `"${'a'.repeat(65)}"`,
    '"acct 7"',
    '"-acct"',
    '"acct-7\u0001"',
    '"acct-7\u007f"',
    '"acct-7\\u007f"',
    '"acctë"',
    '"acct\\"7"',
    '"acct"7"',
    '12',
    '["acct-7"]',
  ),
  symbol: fc.constantFrom(
    '"BRK-B"',
    '"1ABC"',
    '"ABCDEFGHIJK"',
    '"T\u0130"',
    '"T\\u0130"',
    '"TSLA\\u00a0X"',
    '""',
    '{"s":1}',
  ),
  side: fc.constantFrom(
    '"buy"',
    '"Buy"',
    '" BUY"',
    '"HOLD"',
    '"SELLS"',
    '"BUYER"',
    '"BU"',
    '"B\\u0055Y "',
    '1',
    'null',
  ),
  qty: fc.constantFrom(
    '0',
    '-0',
    '-3',
    '1.5',
    '9007199254740992',
    '012',
    '"5"',
    '1e400',
    'NaN',
    'null',
    '[1]',
  ),
  price: fc.constantFrom(
    '0',
    '-0',
    '-1.5',
    '1e400',
    '-1e400',
    '"1.5"',
    '01.5',
    '100.',
    '.5',
    'Infinity',
    'null',
  ),
  strategy: fc.constantFrom(
    '"mean reversion"',
    '"arb\\u0000"',
    '"arb\u0000"',
    '""',
    `"${'s'.repeat(65)}"`,
    '"ÿ"',
    'false',
  ),
}

/** JSON's white space, and characters that look like it and are not. */
const SPACES: fc.Arbitrary<string> = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ')
const NOT_SPACES = fc.constantFrom('\u000c', '\u00a0', '\u000b', '\u0000')

type Change =
  | { kind: 'value'; field: Field; text: string }
  | { kind: 'missing'; field: Field }
  | { kind: 'duplicate'; field: Field; text: string }
  | { kind: 'extra'; text: string }
  | { kind: 'space'; at: number; text: string }
  | { kind: 'start' | 'end'; text: string }

const fieldArb = fc.constantFrom(...FIELD_NAMES)
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 6,
    arbitrary: fieldArb.chain((field) =>
      REFUSED[field].map((text) => ({ kind: 'value' as const, field, text })),
    ),
  },
  {
    weight: 3,
    arbitrary: fieldArb.chain((field) => ODD[field].map((text) => ({ kind: 'value' as const, field, text }))),
  },
  { weight: 1, arbitrary: fieldArb.map((field) => ({ kind: 'missing' as const, field })) },
  {
    weight: 2,
    arbitrary: fieldArb.chain((field) =>
      fc
        .oneof(PLAIN[field], ODD[field], REFUSED[field])
        .map((text) => ({ kind: 'duplicate' as const, field, text })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '"venue":"X"',
        '"n":null',
        '"tags":[1,{"a":2}]',
        '"__proto__":{}',
        '"sides":"BUY"',
        '"strategy_":"x"',
        '"order_ix":"y"',
        '"":1',
        '"qty ":1',
        '"Qty":1',
      )
      .map((text) => ({ kind: 'extra' as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('space' as const), at: fc.nat(40), text: NOT_SPACES }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('start' as const),
      text: fc.constantFrom('\ufeff', '[', 'x', ','),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('end' as const),
      text: fc.constantFrom(',', 'x', '}', '{}', '\u0000', ']'),
    }),
  },
)

/** A plainly written order with none, one or two things changed: each change may send it to the contract. */
const recordText: fc.Arbitrary<string> = fc
  .record({
    values: fc.record(PLAIN),
    order: fc.shuffledSubarray([...FIELD_NAMES], { minLength: FIELD_NAMES.length }),
    spaces: fc.array(SPACES, { minLength: 40, maxLength: 40 }),
    changes: fc.array(changeArb, { maxLength: 2 }),
  })
  .map(({ values, order, spaces: drawn, changes }) => {
    const spaces = [...drawn]
    const texts: Record<string, string> = { ...values }
    let names: string[] = order
    let start = ''
    let end = ''
    for (const change of changes) {
      if (change.kind === 'value') texts[change.field] = change.text
      else if (change.kind === 'missing') names = names.filter((name) => name !== change.field)
      else if (change.kind === 'space') spaces[change.at] = change.text
      else if (change.kind === 'start') start = change.text
      else if (change.kind === 'end') end = change.text
    }
    const members = names.map(
      (name, i) => `${spaces[i * 3]!}"${name}"${spaces[i * 3 + 1]!}:${spaces[i * 3 + 2]!}${texts[name]!}`,
    )
    for (const change of changes) {
      if (change.kind === 'duplicate')
        members.splice(members.length >> 1, 0, `"${change.field}":${change.text}`)
      if (change.kind === 'extra') members.splice(members.length >> 1, 0, change.text)
    }
    return `${start}${spaces[30]!}{${members.join(',')}${spaces[31]!}}${spaces[32]!}${end}`
  })

/** A valid record with a few bytes changed, inserted or removed anywhere. */
const mutatedRecord: fc.Arbitrary<Buffer> = fc
  .record({
    seq: fc.nat(1_000),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('set', 'insert', 'delete'),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ seq, edits }) => {
    const order = createOrderFactory({ mode: 'normal', seed: seq, accounts: 50, symbols: 30 })(
      seq,
      APPENDED_AT,
    )
    const bytes = [...Buffer.from(JSON.stringify(order))]
    for (const { at, kind, byte } of edits) {
      const index = at % (bytes.length + 1)
      if (kind === 'set') bytes[Math.min(index, bytes.length - 1)] = byte
      else if (kind === 'insert') bytes.splice(index, 0, byte)
      else bytes.splice(index, 1)
    }
    return Buffer.from(bytes)
  })

describe('orders are read as the contract reads them', () => {
  it('reads the generator\u2019s orders without the contract decoder, to the same values', () => {
    const next = createOrderFactory({ mode: 'normal', seed: 11, accounts: 10_000, symbols: 2_000 })
    for (let seq = 0; seq < 2_000; seq++) {
      const value = encode(ORDERS, next(seq, APPENDED_AT + seq)).value!
      expect(plainOrder(value)).toBeDefined()
      expectSameAsContract(value)
    }
  })

  it('accepts exactly what the contract accepts, to the same values, on random and hostile records', () => {
    fc.assert(
      fc.property(recordText, fc.boolean(), (text, asString) => {
        expectSameAsContract(asString ? text : Buffer.from(text))
      }),
      { numRuns: RUNS, seed: SEED },
    )
    fc.assert(
      fc.property(mutatedRecord, (bytes) => expectSameAsContract(bytes)),
      { numRuns: RUNS, seed: SEED },
    )
    // Both ways are taken, often: the plain reading and the contract's refusal.
    expect(plainlyRead).toBeGreaterThan(RUNS / 20)
    expect(refused).toBeGreaterThan(RUNS / 5)
  })

  it('reads the Spark parity stream as the contract does, as bytes and as text', () => {
    for (const record of parityStream()) {
      expectSameAsContract(record.value)
      if (record.value !== null) expectSameAsContract(Buffer.from(record.value))
    }
  })

  it('leaves tombstones, oversized and non-ASCII records to the contract decoder', () => {
    const order = JSON.stringify({
      ...createOrderFactory({ mode: 'normal', seed: 1 })(1, APPENDED_AT),
      strategy: 'momentum',
    })
    const oversized = Buffer.from(`{"pad":"${'x'.repeat(MAX_RECORD_BYTES)}",${order.slice(1)}`)
    expect(plainOrder(oversized)).toBeUndefined()
    expectSameAsContract(oversized)
    expectSameAsContract(null)
    const spaced = Buffer.from(order.replace('{', `{${' '.repeat(MAX_RECORD_BYTES - order.length)}`))
    expect(spaced.length).toBe(MAX_RECORD_BYTES)
    expect(plainOrder(spaced)).toBeDefined()
    expectSameAsContract(Buffer.concat([spaced, Buffer.from(' ')]))
    expectSameAsContract(Buffer.from(order.replace('"momentum"', '"momentüm"')))
  })
})
