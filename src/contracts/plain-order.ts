import type { Order } from '../domain/order.js'
import { isCanonical, type IdentifierKind } from '../domain/identifiers.js'
import { MAX_RECORD_BYTES } from './limits.js'
import { MAX_EPOCH_MS, orderFieldsSchema } from './messages.js'

/**
 * The order in a record written the way nearly every client writes one, read without JSON.parse and zod;
 * undefined whenever the record is anything else, for the contract's decoder (decodeOrderJson) to judge. It
 * accepts only what that decoder accepts, with the same values: one JSON object, in ASCII, of exactly the
 * contract's eight fields, each once; strings without escapes; numbers of at most fifteen digits and no exponent;
 * every identifier already canonical; side, ts, qty and price as the schema checks them. It never refuses a record.
 * The router and the detector read every order: this costs about half of what JSON.parse and zod do.
 */
export function plainOrder(bytes: Buffer): Order | undefined {
  const rules = PLAIN_RULES
  if (rules === undefined || bytes.length > MAX_RECORD_BYTES) return undefined
  let at = afterSpace(bytes, 0)
  if (bytes[at] !== OPEN) return undefined
  let seen = 0
  let ts = Number.NaN
  let qty = Number.NaN
  let price = Number.NaN
  const starts = STARTS
  const ends = ENDS
  for (;;) {
    at = afterSpace(bytes, at + 1)
    const keyEnd = bytes[at] === QUOTE ? stringEnd(bytes, at + 1) : -1
    const field = keyEnd < 0 ? -1 : fieldOf(bytes, at + 1, keyEnd)
    if (field < 0 || (seen & (1 << field)) !== 0) return undefined
    seen |= 1 << field
    at = afterSpace(bytes, keyEnd + 1)
    if (bytes[at] !== COLON) return undefined
    at = afterSpace(bytes, at + 1)
    if (field === TS || field === QTY || field === PRICE) {
      const end = numberEnd(bytes, at)
      if (end < 0) return undefined
      const value = numberValue(bytes, at, end)
      if (field === TS) ts = value
      else if (field === QTY) qty = value
      else price = value
      at = end
    } else {
      const end = bytes[at] === QUOTE ? stringEnd(bytes, at + 1) : -1
      if (end < 0) return undefined
      starts[field] = at + 1
      ends[field] = end
      at = end + 1
    }
    at = afterSpace(bytes, at)
    if (bytes[at] === COMMA) continue
    if (bytes[at] !== CLOSE || seen !== ALL_FIELDS || afterSpace(bytes, at + 1) !== bytes.length)
      return undefined
    break
  }
  if (!Number.isSafeInteger(ts) || ts < 0 || ts > MAX_EPOCH_MS) return undefined
  if (!Number.isSafeInteger(qty) || qty <= 0 || !(price > 0) || !Number.isFinite(price)) return undefined
  const side = ends[SIDE]! - starts[SIDE]!
  const isSide =
    side === BUY.length
      ? holds(bytes, starts[SIDE]!, BUY)
      : side === SELL.length && holds(bytes, starts[SIDE]!, SELL)
  if (!isSide) return undefined
  if (
    !fits(rules.orderId, bytes, starts[ORDER_ID]!, ends[ORDER_ID]!) ||
    !fits(rules.account, bytes, starts[ACCOUNT]!, ends[ACCOUNT]!) ||
    !fits(rules.symbol, bytes, starts[SYMBOL]!, ends[SYMBOL]!) ||
    !fits(rules.strategy, bytes, starts[STRATEGY]!, ends[STRATEGY]!)
  ) {
    return undefined
  }
  return {
    order_id: asciiText(bytes, starts[ORDER_ID]!, ends[ORDER_ID]!),
    ts,
    account_id: asciiText(bytes, starts[ACCOUNT]!, ends[ACCOUNT]!),
    symbol: asciiText(bytes, starts[SYMBOL]!, ends[SYMBOL]!),
    side: side === BUY.length ? 'BUY' : 'SELL',
    qty,
    price,
    strategy: asciiText(bytes, starts[STRATEGY]!, ends[STRATEGY]!),
  }
}

/**
 * Where each string field's text starts and ends (its quotes excluded), filled afresh by each call before it is
 * read (every field must be seen): one pair for every call, as the reader never yields mid-record.
 */
const STARTS = new Int32Array(8)
const ENDS = new Int32Array(8)
const FIELDS = ['order_id', 'ts', 'account_id', 'symbol', 'side', 'qty', 'price', 'strategy'] as const
const [ORDER_ID, TS, ACCOUNT, SYMBOL, SIDE, QTY, PRICE, STRATEGY] = [0, 1, 2, 3, 4, 5, 6, 7] as const
const ALL_FIELDS = (1 << FIELDS.length) - 1
const FIELD_BYTES = FIELDS.map((name) => Buffer.from(name, 'latin1'))
/** The field a key of each length names (the first of FIELDS with that length). */
const FIELD_BY_LENGTH: readonly (number | undefined)[] = FIELDS.reduce<(number | undefined)[]>(
  (byLength, name, field) => {
    byLength[name.length] ??= field
    return byLength
  },
  [],
)
const BUY = Buffer.from('BUY')
const SELL = Buffer.from('SELL')
const OPEN = 0x7b
const CLOSE = 0x7d
const COLON = 0x3a
const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c
const MINUS = 0x2d
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
/** Digits a number may have and still be worked out exactly here: its mantissa stays far below 2^53. */
const MOST_DIGITS = 15
/** Written out, so that each is the exact double rather than what Math.pow makes of it. */
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

/** Past JSON's white space (space, tab, line feed, carriage return) from `at`. */
function afterSpace(bytes: Buffer, at: number): number {
  let byte = bytes[at]
  while (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) byte = bytes[++at]
  return at
}

/**
 * The closing quote of a string whose text starts at `at`, when it is printable ASCII without escapes (so its
 * JSON value is its bytes as they are); -1 otherwise.
 */
function stringEnd(bytes: Buffer, at: number): number {
  for (; at < bytes.length; at++) {
    const byte = bytes[at]!
    if (byte === QUOTE) return at
    if (byte < 0x20 || byte > 0x7e || byte === BACKSLASH) return -1
  }
  return -1
}

/** Which of FIELDS the key from start to end names, or -1: told apart by length, then compared. */
function fieldOf(bytes: Buffer, start: number, end: number): number {
  const length = end - start
  // order_id and strategy have the same length and different first letters.
  const field =
    length === FIELD_BYTES[STRATEGY]!.length && bytes[start] === FIELD_BYTES[STRATEGY]![0]
      ? STRATEGY
      : (FIELD_BY_LENGTH[length] ?? -1)
  return field >= 0 && holds(bytes, start, FIELD_BYTES[field]!) ? field : -1
}

/**
 * The ASCII text from start to end. An account id or a ticker of up to eight characters is made from its codes
 * here: a call into Buffer's native decoding costs more than building so few.
 */
function asciiText(bytes: Buffer, start: number, end: number): string {
  const b = bytes
  const s = start
  switch (end - start) {
    case 1:
      return String.fromCharCode(b[s]!)
    case 2:
      return String.fromCharCode(b[s]!, b[s + 1]!)
    case 3:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!)
    case 4:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!)
    case 5:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!)
    case 6:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!)
    case 7:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!)
    case 8:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
      )
    default:
      return bytes.toString('latin1', start, end)
  }
}

/** Whether the bytes from `at` on begin with `expected`. */
function holds(bytes: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false
  return true
}

/**
 * The end of a JSON number starting at `at` with at most MOST_DIGITS digits and no exponent, or -1 for anything
 * else (not a number, a leading zero, a dot without digits, too many digits, an exponent).
 */
function numberEnd(bytes: Buffer, at: number): number {
  if (bytes[at] === MINUS) at++
  const first = at
  while (isDigit(bytes[at])) at++
  let digits = at - first
  // JSON wants at least one digit, and no leading zero before another.
  if (digits === 0 || (digits > 1 && bytes[first] === ZERO)) return -1
  if (bytes[at] === DOT) {
    const fraction = ++at
    while (isDigit(bytes[at])) at++
    if (at === fraction) return -1
    digits += at - fraction
  }
  const next = bytes[at]
  return digits > MOST_DIGITS || next === 0x65 || next === 0x45 ? -1 : at
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE
}

/**
 * The number numberEnd found, worked out exactly: its digits as an integer (exact below 2^53) divided by a power of
 * ten (exact up to 10^22), one correctly rounded division, which is the double JSON.parse gives for the same text.
 */
function numberValue(bytes: Buffer, start: number, end: number): number {
  const negative = bytes[start] === MINUS
  let mantissa = 0
  let fraction = -1
  for (let at = negative ? start + 1 : start; at < end; at++) {
    const byte = bytes[at]!
    if (byte === DOT) {
      fraction = 0
      continue
    }
    mantissa = mantissa * 10 + (byte - ZERO)
    if (fraction >= 0) fraction++
  }
  const magnitude = fraction <= 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!
  return negative ? -magnitude : magnitude
}

/** An identifier kind's canonical shape on bytes: which may start it, which may follow, and its longest. */
interface ByteRule {
  readonly first: Uint8Array
  readonly rest: Uint8Array
  readonly maxLength: number
}

interface PlainRules {
  readonly orderId: ByteRule
  readonly account: ByteRule
  readonly symbol: ByteRule
  readonly strategy: ByteRule
}

/**
 * The rules this reader applies, read off the contract itself: its fields (orderFieldsSchema) and each identifier's
 * canonical shape (isCanonical). Should either stop being what the reader knows how to apply, every record goes
 * to decodeOrder: the reader may only ever be a shortcut to the same answer.
 */
const PLAIN_RULES: PlainRules | undefined = plainRules()

function plainRules(): PlainRules | undefined {
  if (Object.keys(orderFieldsSchema.shape).sort().join() !== [...FIELDS].sort().join()) return undefined
  const orderId = byteRuleOf('order_id')
  const account = byteRuleOf('account')
  const symbol = byteRuleOf('symbol')
  const strategy = byteRuleOf('strategy')
  if (orderId === undefined || account === undefined || symbol === undefined || strategy === undefined)
    return undefined
  return { orderId, account, symbol, strategy }
}

/**
 * The kind's canonical shape as byte tables, asked of isCanonical one printable character at a time, then checked
 * against it on every string of up to three characters over a sample of each table's classes; undefined when the
 * shape is not one the tables can say (a first character, then characters of one class, up to a length).
 */
function byteRuleOf(kind: IdentifierKind): ByteRule | undefined {
  const first = new Uint8Array(128)
  const rest = new Uint8Array(128)
  const char = (byte: number) => String.fromCharCode(byte)
  for (let byte = 0x20; byte < 0x7f; byte++) first[byte] = isCanonical(kind, char(byte)) ? 1 : 0
  const lead = first.indexOf(1)
  if (lead < 0) return undefined
  for (let byte = 0x20; byte < 0x7f; byte++) rest[byte] = isCanonical(kind, char(lead) + char(byte)) ? 1 : 0
  const filler = rest.indexOf(1)
  let maxLength = 1
  while (filler > 0 && maxLength < 1024 && isCanonical(kind, char(lead) + char(filler).repeat(maxLength)))
    maxLength++
  const rule = { first, rest, maxLength }
  const sample = [
    ...new Set([lead, filler, rest.indexOf(0, 0x21), first.indexOf(0, 0x21), 0x20, 0x2e, 0x41, 0x61]),
  ]
  for (const a of sample) {
    for (const b of sample) {
      for (const c of [...sample, -1]) {
        const text = char(a) + char(b) + (c < 0 ? '' : char(c))
        if (isCanonical(kind, text) !== fits(rule, Buffer.from(text, 'latin1'), 0, text.length))
          return undefined
      }
    }
  }
  return isCanonical(kind, char(lead) + char(filler).repeat(maxLength)) ? undefined : rule
}

function fits(rule: ByteRule, bytes: Buffer, start: number, end: number): boolean {
  if (end <= start || end - start > rule.maxLength || rule.first[bytes[start]!] !== 1) return false
  for (let at = start + 1; at < end; at++) if (rule.rest[bytes[at]!] !== 1) return false
  return true
}
