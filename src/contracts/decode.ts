import type { z } from 'zod'
import type { Order } from '../domain/order.js'
import { canonicalOrder, orderFieldsSchema } from './messages.js'
import { formatIssues } from './format-issues.js'
import { MAX_RECORD_BYTES } from './limits.js'
import { plainOrder } from './plain-order.js'

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string }

export { MAX_RECORD_BYTES }

/** Parses and validates one record's bytes; never throws, so a processor can dead-letter instead. */
export function decodeJson<S extends z.ZodType>(
  schema: S,
  bytes: Buffer | string | null,
): Decoded<z.infer<S>> {
  if (bytes === null) return { ok: false, error: 'record has no value (tombstone)' }
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length
  if (size > MAX_RECORD_BYTES) {
    return { ok: false, error: `record is ${size} bytes; at most ${MAX_RECORD_BYTES} bytes are accepted` }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'))
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` }
  }
  const result = schema.safeParse(parsed)
  return result.success ? { ok: true, value: result.data } : { ok: false, error: formatIssues(result.error) }
}

/** The key a record of this topic is produced under: its key field, as text. */
export function keyOf(value: unknown, keyField: string): string | null {
  if (typeof value !== 'object' || value === null) return null
  const key = (value as Record<string, unknown>)[keyField]
  return typeof key === 'string' || typeof key === 'number' ? String(key) : null
}

/**
 * An orders.v1 record as the processors read it: the same contract as orderSchema, on the router's and the
 * detector's hot path. A plainly written record is read without JSON.parse and zod (plain-order.ts), to the same
 * values; anything else goes through the contract's decoder.
 */
export function decodeOrder(bytes: Buffer | string | null): Decoded<Order> {
  const plain = Buffer.isBuffer(bytes) ? plainOrder(bytes) : undefined
  return plain === undefined ? decodeOrderJson(bytes) : { ok: true, value: plain }
}

/** The contract's decoder of an order: JSON.parse, the schema's checks, then canonical identifiers. */
export function decodeOrderJson(bytes: Buffer | string | null): Decoded<Order> {
  const decoded = decodeJson(orderFieldsSchema, bytes)
  if (!decoded.ok) return decoded
  const canonical = canonicalOrder(decoded.value)
  if (canonical.ok) return { ok: true, value: canonical.order }
  return {
    ok: false,
    error: canonical.problems.map(({ field, problem }) => `${field}: ${problem}`).join('; '),
  }
}
