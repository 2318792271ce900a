import { z } from 'zod'
import { canonicalId } from '../domain/identifiers.js'
import { MAX_EVALUABLE_NOTIONAL } from '../domain/pretrade/check-codes.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import type { ReferencePriceRecord } from '../domain/pretrade/reference-prices.js'
import type { RiskLimits } from '../domain/pretrade/risk-limits.js'
import { MAX_EPOCH_MS, scopeSchema } from './messages.js'

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

/** Epoch milliseconds. */
const epochMs = z.number().int().nonnegative().max(MAX_EPOCH_MS)
const shortText = z.string().min(1).max(128)

/** Limits apply to the firm or to an account: a scope of another kind is refused where it is read. */
export const limitsScopeSchema = scopeSchema.refine((scope) => scope === 'GLOBAL' || scope.startsWith('ACCOUNT:'), {
  message: 'limits apply to GLOBAL or ACCOUNT:<id>',
})

const symbolList = z.array(ticker).max(MAX_RESTRICTED_SYMBOLS)

/** SET_LIMITS and REVERT_LIMITS on killswitch.commands.v1, beside the kill commands (ADR 0014). */
export const limitsCommandSchema = z
  .strictObject({
    cmd_id: shortText,
    ts: epochMs,
    scope: limitsScopeSchema,
    action: z.enum(['SET_LIMITS', 'REVERT_LIMITS']),
    limits: riskLimitsSchema.omit({ restricted_symbols: true }).optional(),
    restrict: symbolList.optional(),
    unrestrict: symbolList.optional(),
    expires_ts: epochMs.optional(),
    reverts: shortText.optional(),
    reason: z.string().min(1).max(1024),
    triggered_by: shortText,
    operator: shortText.optional(),
    corr_id: shortText,
  })
  .superRefine((command, ctx) => {
    if (command.action === 'REVERT_LIMITS' && command.reverts === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reverts'], message: 'a REVERT_LIMITS names the cmd_id of the change it ends' })
    }
    const changes = Object.keys(command.limits ?? {}).length + (command.restrict?.length ?? 0) + (command.unrestrict?.length ?? 0)
    if (command.action === 'SET_LIMITS' && changes === 0) {
      ctx.addIssue({ code: 'custom', path: ['limits'], message: 'a SET_LIMITS changes at least one limit or restricted symbol' })
    }
    const both = (command.restrict ?? []).filter((symbol) => command.unrestrict?.includes(symbol))
    if (both.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['unrestrict'], message: `${both.join(', ')} cannot be restricted and unrestricted at once` })
    }
  }) satisfies z.ZodType<LimitsCommand, unknown>

/** A scope's limits on risk_limits.v1 (compacted, keyed by scope). */
export const limitsRecordSchema = z.strictObject({
  scope: limitsScopeSchema,
  limits: riskLimitsSchema,
  updated_ts: epochMs,
  updated_by: shortText,
  reason: z.string(),
  last_cmd_id: shortText,
  corr_id: shortText,
  expires_ts: epochMs.optional(),
  reverts_to: riskLimitsSchema.optional(),
  temporary_cmd_id: shortText.optional(),
}) satisfies z.ZodType<LimitsRecord, unknown>

/** A symbol's reference price on reference_prices.v1 (compacted, keyed by symbol). */
export const referencePriceSchema = z.strictObject({
  symbol: ticker,
  price: z.number().finite().positive().max(MAX_EVALUABLE_NOTIONAL),
  ts: epochMs,
  source: shortText,
}) satisfies z.ZodType<ReferencePriceRecord, unknown>
