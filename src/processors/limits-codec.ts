import { decodeJson } from '../contracts/decode.js'
import { limitsRecordSchema, limitsScopeSchema, referencePriceSchema } from '../contracts/risk-limits.js'
import { canonicalId } from '../domain/identifiers.js'
import type { LimitsRecord } from '../domain/pretrade/limits-command.js'
import type { ReferencePriceRecord } from '../domain/pretrade/reference-prices.js'
import type { LogRecord } from '../log/port.js'

export type LimitsChange =
  | { readonly type: 'limits'; readonly record: LimitsRecord }
  | { readonly type: 'deleted'; readonly key: string }
  /** The record under `key` cannot be enforced as written, so `scope`'s limits are unknown: fail closed. */
  | { readonly type: 'unknown'; readonly key: string; readonly scope: string; readonly problem: string }
  /** Names no scope limits apply to: it governs no order, and must be seen. */
  | { readonly type: 'invalid'; readonly error: string }

/**
 * A record of risk_limits.v1. On a compacted topic the key decides what a later record replaces, so a record is
 * enforced only under its scope's own key. Anything else under a key that names a scope (an unreadable value, a
 * misspelt field, another scope's limits) leaves that scope's limits unknown, and its orders are dropped until an
 * operator writes them again: a raise nobody can read must not become the defaults.
 */
export function decodeLimitsRecord(record: LogRecord): LimitsChange {
  const keyScope = record.key === null ? undefined : limitsScopeSchema.safeParse(record.key)
  const scope = keyScope?.success === true ? keyScope.data : undefined
  if (record.value === null) {
    if (record.key === null) return { type: 'invalid', error: 'tombstone without a key' }
    return { type: 'deleted', key: record.key }
  }
  const decoded = decodeJson(limitsRecordSchema, record.value)
  if (decoded.ok && record.key === decoded.value.scope) return { type: 'limits', record: decoded.value }
  if (record.key === null || scope === undefined) {
    const what = decoded.ok ? `limits for ${decoded.value.scope}` : `unreadable limits (${decoded.error})`
    return { type: 'invalid', error: `${what} under a key that names no limits scope: ${JSON.stringify(record.key)}` }
  }
  const problem = decoded.ok
    ? `it holds limits for ${decoded.value.scope}, not for ${scope}`
    : `unreadable limits record: ${decoded.error}`
  return { type: 'unknown', key: record.key, scope, problem }
}

export type PriceChange =
  | { readonly type: 'price'; readonly record: ReferencePriceRecord }
  /** The symbol has no usable reference price any more (a tombstone, or a record that could not be read). */
  | { readonly type: 'removed'; readonly symbol: string; readonly problem?: string }
  | { readonly type: 'invalid'; readonly error: string }

/**
 * A record of reference_prices.v1. A price that cannot be read leaves its symbol without one rather than with the
 * last: the collar then fails closed (NO_REFERENCE_PRICE) instead of judging against a price the source withdrew.
 */
export function decodePriceRecord(record: LogRecord): PriceChange {
  const key = record.key === null ? undefined : canonicalId('symbol', record.key)
  const symbol = key?.ok === true ? key.id : undefined
  if (record.value === null) {
    return symbol === undefined ? { type: 'invalid', error: 'price tombstone whose key names no symbol' } : { type: 'removed', symbol }
  }
  const decoded = decodeJson(referencePriceSchema, record.value)
  if (decoded.ok && record.key === decoded.value.symbol) return { type: 'price', record: decoded.value }
  if (symbol === undefined) return { type: 'invalid', error: `price record under a key that names no symbol: ${JSON.stringify(record.key)}` }
  const problem = decoded.ok
    ? `the record under ${symbol} prices ${decoded.value.symbol}`
    : `unreadable reference price: ${decoded.error}`
  return { type: 'removed', symbol, problem }
}
