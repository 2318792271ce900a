import { z } from 'zod'
import { limitsCommandSchema, limitsRecordSchema } from '../contracts/risk-limits.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { ExitCode, interrupted, RiskctlError } from '../errors.js'
import {
  buildLimitsCommand,
  limitsScope,
  type LimitsCommandInput,
} from '../processors/limits-command-input.js'
import type { LimitsSetOutcome } from '../processors/limits-request.js'
import { consoleClient } from './operator-client.js'
import { CONFIRM_TIMEOUT_MS } from '../processors/operator-command.js'

const answerSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('confirmed'), command: limitsCommandSchema, record: limitsRecordSchema }),
  z.object({ outcome: z.literal('published'), command: limitsCommandSchema, error: z.string().optional() }),
  z.object({
    outcome: z.literal('unchanged'),
    scope: z.string(),
    record: limitsRecordSchema.nullable(),
    reason: z.string(),
  }),
])
const limitsListSchema = z.object({ limits: z.array(limitsRecordSchema) })

export interface LimitsConsoleOptions {
  readonly apiUrl: string
  readonly token: string
  readonly wait: boolean
  /** Ctrl+C: before the POST nothing is sent; after it, the answer says what was. */
  readonly signal?: AbortSignal | undefined
}

/**
 * `riskctl limits set --api URL`: the change through the operator console's POST /limits, for an operator who reaches
 * the console but not the log. The input is checked here first, with the same builder, so bad input exits 2 before
 * anything is sent; the console records the operator its token authenticates, so no operator is sent.
 */
export async function setLimitsViaConsole(
  input: LimitsCommandInput,
  options: LimitsConsoleOptions,
): Promise<LimitsSetOutcome> {
  const built = buildLimitsCommand(input)
  if (options.signal?.aborted === true) throw interrupted()
  // The console waits up to CONFIRM_TIMEOUT_MS for risk_limits.v1 before it answers: the client waits longer.
  const client = consoleClient(options.apiUrl, options.token, CONFIRM_TIMEOUT_MS + 10_000)
  const answer = await client.post('/limits', bodyOf(built, input.expires), answerSchema)
  switch (answer.outcome) {
    case 'confirmed':
      return {
        outcome: 'confirmed',
        command: answer.command as LimitsCommand,
        record: answer.record as LimitsRecord,
      }
    case 'unchanged':
      return {
        outcome: 'unchanged',
        scope: answer.scope,
        record: (answer.record ?? undefined) as LimitsRecord | undefined,
        reason: answer.reason,
      }
    case 'published':
      // The console waits for risk_limits.v1 itself; an answer without the record is one nothing applied in time.
      if (options.wait && answer.error !== undefined) {
        throw new RiskctlError(answer.error, {
          code: 'RISKCTL_NOT_CONFIRMED',
          exitCode: ExitCode.unexpected,
          suggestions: [`Check it later with: riskctl limits show ${built.scope} --api ${options.apiUrl}`],
        })
      }
      return { outcome: 'published', command: answer.command as LimitsCommand }
  }
}

/** `riskctl limits show --api URL`: GET /limits, the records as the console read them from risk_limits.v1. */
export async function readLimitsViaConsole(
  scope: string | undefined,
  options: Omit<LimitsConsoleOptions, 'wait'>,
): Promise<LimitsRecord[]> {
  const query = scope === undefined ? '' : `?scope=${encodeURIComponent(limitsScope(scope))}`
  const answer = await consoleClient(options.apiUrl, options.token).get(`/limits${query}`, limitsListSchema)
  return answer.limits as LimitsRecord[]
}

/** POST /limits's body: the checked values, in the console's field names. */
function bodyOf(command: LimitsCommand, expires: string | undefined): Record<string, unknown> {
  const limits = command.limits ?? {}
  const body: Record<string, unknown> = {
    scope: command.scope,
    max_qty: limits.max_order_qty,
    max_notional: limits.max_order_notional,
    credit: limits.credit_limit,
    collar_pct: limits.collar_pct,
    collar_abs: limits.collar_abs,
    message_rate: limits.message_rate,
    allow_without_reference: limits.allow_without_reference,
    restrict: command.restrict,
    unrestrict: command.unrestrict,
    reason: command.reason,
    expires,
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined))
}
