import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ActionOrigin } from './operator-trail.js'
import { z } from 'zod'
import { auditDecisionSchema } from '../contracts/messages.js'
import { formatIssues } from '../contracts/format-issues.js'
import type { AuditDecision, AuditRecord } from '../domain/audit-record.js'
import { CHECK_ORDER, type CheckCode } from '../domain/pretrade/check-codes.js'
import type { LimitsCommand } from '../domain/pretrade/limits-command.js'
import { ExitCode, isRiskctlError, type RiskctlError } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { parseSince } from '../time-span.js'
import { LIMIT_FORMS, LIMITS_SCOPE_FORMS, NUMERIC, buildLimitsCommand, isLimitValue, type NumberKind } from './limits-command-input.js'
import { roleAtLeast, type Identity, type Role } from '../config/user-store.js'
import { loosenedBy } from '../domain/pretrade/apply-limits.js'
import type { RiskLimits } from '../domain/pretrade/risk-limits.js'
import { readLimits, requestLimits } from './limits-request.js'

/** What GET /audit asks of the audit index: the filters of `riskctl audit`, checked. */
export interface ConsoleAuditQuery {
  readonly account?: string | undefined
  readonly decision?: AuditDecision | undefined
  readonly corrId?: string | undefined
  readonly check?: CheckCode | undefined
  readonly since?: string | undefined
  readonly limit: number
}

export type ConsoleAudit = (query: ConsoleAuditQuery) => Promise<readonly AuditRecord[]>

export interface ConsoleLimitsOptions {
  readonly log: EventLog
  /** Who the bearer token authenticated: the operator of every change this console publishes, and their role. */
  readonly identityOf: (request: object) => Identity
  /** Where a request came in, for the operator-action trail's entry of the change it publishes. */
  readonly originOf: (request: FastifyRequest) => ActionOrigin
  /** Marks a request whose ALLOWED entry went onto the trail with its command. */
  readonly markTrailed: (request: object) => void
  /** The 403 for an identity whose role is below what an action needs. */
  readonly forbidden: (reply: FastifyReply, identity: Identity, needed: Role, action: string) => FastifyReply
  /** The topology's default limits, under the firm's and each account's records: what a change is judged against. */
  readonly defaults: RiskLimits
  /** The audit index, where this console has one (`riskctl up` with a data directory). */
  readonly audit?: ConsoleAudit | undefined
  /** How long POST /limits waits for risk_limits.v1 to show the change. */
  readonly confirmTimeoutMs?: number | undefined
}

/** The body fields of POST /limits, each with the builder's name for it and, for a number, the kind it takes. */
const NUMBER_FIELDS = {
  max_qty: 'maxQty',
  max_notional: 'maxNotional',
  credit: 'credit',
  collar_pct: 'collarPct',
  collar_abs: 'collarAbs',
  message_rate: 'messageRate',
} as const

function kindOf(input: (typeof NUMBER_FIELDS)[keyof typeof NUMBER_FIELDS]): NumberKind {
  const row = NUMERIC.find(([from]) => from === input)
  if (row === undefined) throw new Error(`no kind for ${input}`)
  return row[3]
}

function limitNumber(field: keyof typeof NUMBER_FIELDS) {
  const kind = kindOf(NUMBER_FIELDS[field])
  const form = `${field} takes ${LIMIT_FORMS[kind]}`
  return z.number({ error: form }).refine((value) => isLimitValue(value, kind), { error: form }).optional()
}

const limitsBodyShape = {
  scope: z.string({ error: `scope is required: ${LIMITS_SCOPE_FORMS.join(' | ')}` }),
  max_qty: limitNumber('max_qty'),
  max_notional: limitNumber('max_notional'),
  credit: limitNumber('credit'),
  collar_pct: limitNumber('collar_pct'),
  collar_abs: limitNumber('collar_abs'),
  message_rate: limitNumber('message_rate'),
  allow_without_reference: z.boolean({ error: 'allow_without_reference takes true or false' }).optional(),
  restrict: z.array(z.string(), { error: 'restrict takes a list of symbols, e.g. ["TSLA"]' }).optional(),
  unrestrict: z.array(z.string(), { error: 'unrestrict takes a list of symbols, e.g. ["TSLA"]' }).optional(),
  reason: z.string({ error: 'reason is required: it goes into the audit trail' }),
  expires: z.string({ error: 'expires takes a span of time: 30m, 2h, 1d' }).optional(),
}
const LIMITS_FIELDS = Object.keys(limitsBodyShape)
const limitsBodySchema = z.strictObject(limitsBodyShape)

const LIMITS_QUERY = ['scope'] as const
const AUDIT_QUERY = ['account', 'decision', 'corr_id', 'check', 'since', 'limit'] as const
const DEFAULT_AUDIT_LIMIT = 50
const MAX_AUDIT_LIMIT = 100_000

const auditQuerySchema = z.strictObject({
  account: z.string().min(1, { error: 'account takes an account id, e.g. 12345' }).optional(),
  decision: z.enum(auditDecisionSchema.options, { error: `decision takes one of ${auditDecisionSchema.options.join(', ')}` }).optional(),
  corr_id: z.string().min(1, { error: 'corr_id takes the corr_id of a command, e.g. 1f9ee8ce-6875-48c7-a787-47b7bafd3ded' }).optional(),
  check: z.enum(CHECK_ORDER, { error: `check takes one of ${CHECK_ORDER.join(', ')}` }).optional(),
  since: z
    .string()
    .refine((text) => sinceIsValid(text), {
      error: 'since takes an ISO time (2026-11-25T09:30:00Z), epoch milliseconds, or a span back from now: 30s, 10m, 2h, 1d',
    })
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { error: `limit takes a whole number from 1 to ${MAX_AUDIT_LIMIT}` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_AUDIT_LIMIT, { error: `limit takes a whole number from 1 to ${MAX_AUDIT_LIMIT}` })
    .optional(),
})

function sinceIsValid(text: string): boolean {
  try {
    parseSince(text, Date.now())
    return true
  } catch {
    return false
  }
}

/**
 * GET /limits, POST /limits and GET /audit: `riskctl limits show`, `riskctl limits set` and `riskctl audit` for an
 * operator who reaches the console but not the log. POST /limits builds its SET_LIMITS with the same builder and
 * checks as `riskctl limits set`, as the authenticated operator: who acted is never the body's to say.
 */
export function registerLimitsAndAudit(secured: FastifyInstance, options: ConsoleLimitsOptions): void {
  const openLog = () => Promise.resolve(options.log)

  secured.get('/limits', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>
    const unknown = unknownFields(query, LIMITS_QUERY)
    if (unknown !== undefined) return reply.code(400).send({ error: `unknown query parameter ${unknown}: the only one is scope (${LIMITS_SCOPE_FORMS.join(' | ')})` })
    const scope = query.scope
    if (scope !== undefined && typeof scope !== 'string') return reply.code(400).send({ error: `scope takes one of ${LIMITS_SCOPE_FORMS.join(' | ')}` })
    try {
      return { limits: await readLimits(openLog, scope) }
    } catch (error) {
      return badInputReply(reply, error)
    }
  })

  secured.post('/limits', async (request, reply) => {
    const raw = request.body ?? {}
    if (typeof raw !== 'object' || Array.isArray(raw)) return reply.code(400).send({ error: 'send a JSON object' })
    const unknown = unknownFields(raw as Record<string, unknown>, LIMITS_FIELDS)
    if (unknown !== undefined) {
      return reply.code(400).send({
        error: `unknown field ${unknown}: the fields are ${LIMITS_FIELDS.join(', ')}. The operator is whoever the bearer token authenticates, never the body's to set.`,
      })
    }
    const identity = options.identityOf(request)
    if (!roleAtLeast(identity.role, 'operator')) return options.forbidden(reply, identity, 'operator', 'SET_LIMITS')
    const body = limitsBodySchema.safeParse(raw)
    if (!body.success) return reply.code(400).send({ error: formatIssues(body.error) })
    const input = {
      scope: body.data.scope,
      maxQty: body.data.max_qty,
      maxNotional: body.data.max_notional,
      credit: body.data.credit,
      collarPct: body.data.collar_pct,
      collarAbs: body.data.collar_abs,
      messageRate: body.data.message_rate,
      allowWithoutReference: body.data.allow_without_reference,
      restrict: body.data.restrict,
      unrestrict: body.data.unrestrict,
      reason: body.data.reason,
      expires: body.data.expires,
      operator: identity.name,
    }
    let published: LimitsCommand | undefined
    try {
      if (!roleAtLeast(identity.role, 'supervisor')) {
        // Loosening is a supervisor's: judged on what the orders of the scope are held to now, as the router holds them.
        const command = buildLimitsCommand(input)
        const records = await readLimits(openLog)
        const record = (scope: string) => records.find((r) => r.scope === scope)
        const loosened = loosenedBy(options.defaults, record('GLOBAL'), record(command.scope), command, Date.now())
        if (loosened.length > 0) return options.forbidden(reply, identity, 'supervisor', `loosening limits (${loosened.join('; ')})`)
      }
      const outcome = await requestLimits(openLog, input, {
        wait: true,
        timeoutMs: options.confirmTimeoutMs,
        origin: options.originOf(request),
        onPublished: (command) => {
          published = command
          options.markTrailed(request)
        },
      })
      switch (outcome.outcome) {
        case 'confirmed':
          return reply.code(200).send({ outcome: 'confirmed', ...ids(outcome.command), command: outcome.command, record: outcome.record })
        case 'unchanged':
          return reply.code(200).send({ outcome: 'unchanged', scope: outcome.scope, record: outcome.record ?? null, reason: outcome.reason })
        case 'published':
          return reply.code(202).send({ outcome: 'published', ...ids(outcome.command), command: outcome.command })
      }
    } catch (error) {
      if (published !== undefined && isRiskctlError(error)) {
        // Sent, then refused by the aggregator, or not shown applied in time: the answer names the command either way.
        if (error.code === 'RISKCTL_COMMAND_REFUSED') {
          return reply.code(409).send({ outcome: 'refused', error: error.message, ...ids(published), command: published, suggestions: error.suggestions })
        }
        if (error.code === 'RISKCTL_NOT_CONFIRMED') {
          return reply.code(202).send({ outcome: 'published', error: error.message, ...ids(published), command: published, suggestions: error.suggestions })
        }
      }
      return badInputReply(reply, error)
    }
  })

  secured.get('/audit', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>
    const unknown = unknownFields(query, AUDIT_QUERY)
    if (unknown !== undefined) return reply.code(400).send({ error: `unknown query parameter ${unknown}: the filters are ${AUDIT_QUERY.join(', ')}` })
    const parsed = auditQuerySchema.safeParse(query)
    if (!parsed.success) return reply.code(400).send({ error: formatIssues(parsed.error) })
    if (options.audit === undefined) {
      return reply.code(501).send({
        error: 'this console has no audit index: query the trail with riskctl audit',
        suggestions: ['riskctl audit --check MAX_ORDER_QTY --since 10m'],
      })
    }
    const records = await options.audit({
      account: parsed.data.account,
      decision: parsed.data.decision,
      corrId: parsed.data.corr_id,
      check: parsed.data.check,
      since: parsed.data.since,
      limit: parsed.data.limit ?? DEFAULT_AUDIT_LIMIT,
    })
    return { records }
  })
}

function ids(command: LimitsCommand): { cmd_id: string; corr_id: string } {
  return { cmd_id: command.cmd_id, corr_id: command.corr_id }
}

function unknownFields(object: Record<string, unknown>, known: readonly string[]): string | undefined {
  const extra = Object.keys(object).filter((key) => !known.includes(key))
  return extra.length === 0 ? undefined : extra.map((key) => JSON.stringify(key)).join(', ')
}

/** A typed bad-input error is the caller's 400, with what is valid; anything else is the error handler's. */
function badInputReply(reply: FastifyReply, error: unknown): FastifyReply {
  if (isRiskctlError(error) && (error as RiskctlError).exitCode === ExitCode.badInput) {
    return reply.code(400).send({ error: error.message, suggestions: error.suggestions })
  }
  throw error
}
