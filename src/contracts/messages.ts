import { z } from 'zod'
import { parseScope, SCOPE_FORMS } from '../domain/scope.js'

/** Epoch milliseconds. */
const epochMs = z.number().int().nonnegative()
const nonEmpty = z.string().min(1)

export const scopeSchema = z.string().transform((value, ctx) => {
  const parsed = parseScope(value)
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `${parsed.problem}; valid scopes: ${SCOPE_FORMS.join(' | ')}` })
    return z.NEVER
  }
  return parsed.text
})

export const orderSchema = z.object({
  order_id: nonEmpty,
  ts: epochMs,
  account_id: nonEmpty,
  symbol: nonEmpty,
  side: z.enum(['BUY', 'SELL']),
  qty: z.number().int().positive(),
  price: z.number().positive().finite(),
  strategy: nonEmpty,
})
export type Order = z.infer<typeof orderSchema>

export const riskSignalSchema = z.object({
  ts: epochMs,
  account_id: nonEmpty,
  window_start: epochMs,
  window_end: epochMs,
  order_count: z.number().int().nonnegative(),
  total_notional: z.number().nonnegative(),
  avg_notional: z.number().nonnegative(),
  unique_symbols: z.number().int().nonnegative(),
  top_symbol: z.string().nullable(),
  top_symbol_share: z.number().min(0).max(1),
})
export type RiskSignal = z.infer<typeof riskSignalSchema>

export const killActionSchema = z.enum(['KILL', 'UNKILL', 'THROTTLE'])
export type KillAction = z.infer<typeof killActionSchema>

export const killCommandSchema = z
  .object({
    cmd_id: nonEmpty,
    ts: epochMs,
    scope: scopeSchema,
    action: killActionSchema,
    reason: nonEmpty,
    triggered_by: nonEmpty,
    operator: nonEmpty.optional(),
    metric: nonEmpty.optional(),
    value: z.number().optional(),
    max_orders_per_sec: z.number().int().positive().optional(),
    corr_id: nonEmpty,
  })
  .refine((cmd) => cmd.action !== 'THROTTLE' || cmd.max_orders_per_sec !== undefined, {
    message: 'a THROTTLE command needs max_orders_per_sec (a positive integer)',
    path: ['max_orders_per_sec'],
  })
export type KillCommand = z.infer<typeof killCommandSchema>

export const killStatusSchema = z.enum(['ACTIVE', 'KILLED', 'THROTTLED'])
export type KillStatus = z.infer<typeof killStatusSchema>

export const killStateSchema = z.object({
  scope: scopeSchema,
  status: killStatusSchema,
  updated_ts: epochMs,
  updated_by: nonEmpty,
  reason: z.string(),
  last_cmd_id: nonEmpty,
  corr_id: nonEmpty,
  max_orders_per_sec: z.number().int().positive().optional(),
})
export type KillState = z.infer<typeof killStateSchema>

export const auditDecisionSchema = z.enum(['ALLOW', 'DROP', 'DUPLICATE', 'REFUSED'])
export type AuditDecision = z.infer<typeof auditDecisionSchema>

/**
 * One record per decision. Order decisions are ALLOW, DROP or DUPLICATE; the aggregator writes
 * REFUSED for a command it will not apply (a detector asking to UNKILL), so the trail shows it.
 */
export const auditSchema = z.object({
  ts: epochMs,
  decision: auditDecisionSchema,
  order_id: z.string(),
  account_id: z.string(),
  symbol: z.string(),
  strategy: z.string(),
  scope_matches: z.array(z.string()),
  killswitch_status: killStatusSchema,
  reason: z.string(),
  corr_id: z.string(),
  service: nonEmpty,
})
export type AuditRecord = z.infer<typeof auditSchema>

export const deadLetterSchema = z.object({
  ts: epochMs,
  source_topic: nonEmpty,
  offset: z.string(),
  raw: z.string(),
  error: nonEmpty,
})
export type DeadLetter = z.infer<typeof deadLetterSchema>
