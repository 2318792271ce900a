import { z } from 'zod'
import { canonicalId } from '../domain/identifiers.js'
import { MAX_EVALUABLE_NOTIONAL } from '../domain/pretrade/check-codes.js'
import type { RiskLimits } from '../domain/pretrade/risk-limits.js'

/** A restricted list longer than this is a mistake (a whole universe pasted in), not a policy. */
export const MAX_RESTRICTED_SYMBOLS = 10_000

/** A ticker in canonical form: ` aapl` and `AAPL` must not be two symbols, one restricted and one not. */
const ticker = z.string().transform((raw, ctx) => {
  const canonical = canonicalId('symbol', raw)
  if (canonical.ok) return canonical.id
  ctx.addIssue({ code: 'custom', message: canonical.problem })
  return z.NEVER
})

const money = z.number().finite().nonnegative().max(MAX_EVALUABLE_NOTIONAL)

/**
 * One set of limits, as the topology's defaults, a risk_limits.v1 record and a SET_LIMITS command carry them.
 * Strict: a misspelt limit must be refused rather than leave the real one at a value nobody chose.
 */
export const riskLimitsSchema = z.strictObject({
  max_order_qty: z.number().int().positive().max(1e12).optional(),
  max_order_notional: money.positive().optional(),
  credit_limit: money.optional(),
  collar_pct: z.number().finite().positive().max(100).optional(),
  collar_abs: money.optional(),
  message_rate: z.number().int().positive().max(1_000_000).optional(),
  allow_without_reference: z.boolean().optional(),
  restricted_symbols: z
    .array(ticker)
    .max(MAX_RESTRICTED_SYMBOLS)
    .transform((symbols) => [...new Set(symbols)].sort())
    .optional(),
}) satisfies z.ZodType<RiskLimits, unknown>
