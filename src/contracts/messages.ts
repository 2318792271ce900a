import { CHECK_ORDER } from '../domain/pretrade/check-codes.js'
import { z } from 'zod'
import { canonicalId, isCanonical } from '../domain/identifiers.js'
import { parseScope, SCOPE_FORMS } from '../domain/scope.js'
import type { AuditDecision, AuditRecord } from '../domain/audit-record.js'
import type { DeadLetter } from '../domain/dead-letter.js'
import type { KillAction, KillCommand } from '../domain/kill-command.js'
import type { KillState, KillStatus } from '../domain/kill-status.js'
import type { Order } from '../domain/order.js'
import type { CreditWarningSignal, RiskSignal, RiskSignalRecord } from '../domain/risk-signal.js'

/** The latest time a Date can hold: an epoch ms past it is no time at all. */
export const MAX_EPOCH_MS = 8.64e15
/** Epoch milliseconds. */
const epochMs = z.number().int().nonnegative().max(MAX_EPOCH_MS)
const nonEmpty = z.string().min(1)
/** Ids and names a processor copies into what it writes: bounded, so no record outgrows its topic. */
const shortText = nonEmpty.max(128)
const reasonText = nonEmpty.max(1024)

export const scopeSchema = z.string().transform((value, ctx) => {
  const parsed = parseScope(value)
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `${parsed.problem}; valid scopes: ${SCOPE_FORMS.join(' | ')}` })
    return z.NEVER
  }
  return parsed.text
})

/** An order's fields as sent, identifiers not yet canonical. */
export const orderFieldsSchema = z.object({
  order_id: z.string(),
  ts: epochMs,
  account_id: z.string(),
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  qty: z.number().int().positive(),
  price: z.number().positive().finite(),
  strategy: z.string(),
})
type OrderFields = z.infer<typeof orderFieldsSchema>

/**
 * The order with its identifiers in canonical form (domain/identifiers.ts), so that the scopes built from them are
 * the ones a kill names; or, per field, what is wrong and what is valid.
 */
export function canonicalOrder(order: OrderFields): { ok: true; order: OrderFields } | { ok: false; problems: { field: string; problem: string }[] } {
  // This runs for every order the router decides: nearly every order is already canonical.
  if (
    isCanonical('order_id', order.order_id) &&
    isCanonical('account', order.account_id) &&
    isCanonical('symbol', order.symbol) &&
    isCanonical('strategy', order.strategy)
  ) {
    return { ok: true, order }
  }
  const orderId = canonicalId('order_id', order.order_id)
  const account = canonicalId('account', order.account_id)
  const symbol = canonicalId('symbol', order.symbol)
  const strategy = canonicalId('strategy', order.strategy)
  if (orderId.ok && account.ok && symbol.ok && strategy.ok) {
    const same =
      orderId.id === order.order_id && account.id === order.account_id && symbol.id === order.symbol && strategy.id === order.strategy
    return {
      ok: true,
      order: same ? order : { ...order, order_id: orderId.id, account_id: account.id, symbol: symbol.id, strategy: strategy.id },
    }
  }
  const problems: { field: string; problem: string }[] = []
  for (const [field, id] of [['order_id', orderId], ['account_id', account], ['symbol', symbol], ['strategy', strategy]] as const) {
    if (!id.ok) problems.push({ field, problem: id.problem })
  }
  return { ok: false, problems }
}

/**
 * An order as the router and the detector read it: its identifiers canonical. The record itself is forwarded as it
 * arrived. (The processors decode with decodeOrder: zod's compiled checks of a plain object, then canonicalOrder,
 * about three times faster than this transform.)
 */
export const orderSchema = orderFieldsSchema.transform((fields, ctx) => {
  const canonical = canonicalOrder(fields)
  if (canonical.ok) return canonical.order
  for (const { field, problem } of canonical.problems) ctx.addIssue({ code: 'custom', path: [field], message: problem })
  return z.NEVER
}) satisfies z.ZodType<Order>

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
}) satisfies z.ZodType<RiskSignal>

export const creditWarningSchema = z.object({
  ts: epochMs,
  signal: z.literal('CREDIT_WARNING'),
  account_id: nonEmpty,
  percent: z.number().positive().max(100),
  used_notional: z.number().finite().nonnegative(),
  credit_limit: z.number().finite().positive(),
  day_start: epochMs,
}) satisfies z.ZodType<CreditWarningSignal>

/** What risk_signals.v1 carries: a record naming a `signal` kind is one of the router's, else the detector's. */
export const riskSignalRecordSchema = z.union([creditWarningSchema, riskSignalSchema]) satisfies z.ZodType<RiskSignalRecord>

export const killActionSchema = z.enum(['KILL', 'UNKILL', 'THROTTLE']) satisfies z.ZodType<KillAction>

export const killCommandSchema = z
  .object({
    cmd_id: shortText,
    ts: epochMs,
    scope: scopeSchema,
    action: killActionSchema,
    reason: reasonText,
    triggered_by: shortText,
    operator: shortText.optional(),
    metric: shortText.optional(),
    value: z.number().finite().optional(),
    max_orders_per_sec: z.number().int().positive().optional(),
    unless_already: z.boolean().optional(),
    corr_id: shortText,
  })
  .refine((cmd) => cmd.action !== 'THROTTLE' || cmd.max_orders_per_sec !== undefined, {
    message: 'a THROTTLE command needs max_orders_per_sec (a positive integer)',
    path: ['max_orders_per_sec'],
  }) satisfies z.ZodType<KillCommand>

export const killStatusSchema = z.enum(['ACTIVE', 'KILLED', 'THROTTLED']) satisfies z.ZodType<KillStatus>

export const killStateSchema = z.object({
  scope: scopeSchema,
  status: killStatusSchema,
  updated_ts: epochMs,
  updated_by: nonEmpty,
  reason: z.string(),
  last_cmd_id: nonEmpty,
  corr_id: nonEmpty,
  max_orders_per_sec: z.number().int().positive().optional(),
}) satisfies z.ZodType<KillState>

export const auditDecisionSchema = z.enum(['ALLOW', 'DROP', 'DUPLICATE', 'REFUSED', 'APPLIED', 'PENDING']) satisfies z.ZodType<AuditDecision>

/**
 * One record per decision. Order decisions are ALLOW, DROP or DUPLICATE; the aggregator writes
 * one record per command: APPLIED, DUPLICATE (handled before) or REFUSED (a detector asking to UNKILL), so
 * the trail shows what became of every command long after the compacted state has forgotten it.
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
  check: z.enum(CHECK_ORDER).nullable().optional(),
  order_offset: z.string().regex(/^\d+:\d+$/, 'partition:offset').optional(),
  service: nonEmpty,
}) satisfies z.ZodType<AuditRecord>

export const deadLetterSchema = z.object({
  ts: epochMs,
  source_topic: nonEmpty,
  offset: z.string(),
  /** The record as it was, or its first bytes when raw_truncated. */
  raw: z.string(),
  error: nonEmpty,
  /** The size of the whole record, and whether raw holds only its start. */
  raw_bytes: z.number().int().nonnegative().optional(),
  raw_truncated: z.boolean().optional(),
}) satisfies z.ZodType<DeadLetter>

