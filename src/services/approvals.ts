import { z } from 'zod'
import { approvalCommandSchema, approvalRecordSchema } from '../contracts/approvals.js'
import { killStateSchema } from '../contracts/messages.js'
import type { ApprovalAction, ApprovalRecord } from '../domain/approval.js'
import { ExitCode, RiskctlError } from '../errors.js'
import { answerRequest, readApprovals, type AnswerOutcome } from '../processors/approval-request.js'
import { CONFIRM_TIMEOUT_MS } from '../processors/operator-command.js'
import { localOrigin } from '../processors/operator-trail.js'
import { consoleToken, type KillSwitchRoute } from './kill-switch-request.js'
import { consoleClient, requireConsoleToken } from './operator-client.js'

export type { AnswerOutcome }

const listSchema = z.object({ approvals: z.array(approvalRecordSchema) })
const answerSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('approved'), request: approvalRecordSchema, state: killStateSchema }),
  z.object({ outcome: z.literal('rejected'), request: approvalRecordSchema }),
  z.object({
    outcome: z.literal('published'),
    request: approvalRecordSchema,
    command: approvalCommandSchema,
    error: z.string().optional(),
  }),
])

/** `riskctl approvals list`: the held UNKILLs (with `all`, what became of every one), newest first. */
export async function listApprovals(all: boolean, route: KillSwitchRoute): Promise<ApprovalRecord[]> {
  if (route.apiUrl !== undefined) {
    const client = consoleClient(route.apiUrl, requireConsoleToken(consoleToken(route, route.apiUrl)))
    return (await client.get(`/approvals?status=${all ? 'all' : 'pending'}`, listSchema))
      .approvals as ApprovalRecord[]
  }
  const approvals = await readApprovals(await route.openLog())
  return all ? approvals : approvals.filter((approval) => approval.status === 'PENDING')
}

export interface AnswerInput {
  readonly id: string
  readonly action: ApprovalAction
  readonly reason: string
}

/** `riskctl approve` and `riskctl reject`: through the operator console when one is named, else on the log. */
export async function answer(
  input: AnswerInput,
  route: KillSwitchRoute,
  options: { readonly wait: boolean; readonly signal: AbortSignal },
): Promise<AnswerOutcome> {
  if (route.apiUrl === undefined) {
    return answerRequest(
      await route.openLog(),
      { ...input, operator: route.identity() },
      { ...options, origin: localOrigin('cli') },
    )
  }
  const token = requireConsoleToken(consoleToken(route, route.apiUrl))
  return answerViaConsole(input, { apiUrl: route.apiUrl, token, ...options })
}

/**
 * The same answer through the operator console's POST /approvals/:id/approve (or /reject). The console follows it
 * until the aggregator has carried it out, as `riskctl approve` does on the log, and answers with the outcome: a
 * refusal (a KILL came after the request, say) is a 409, exit 5.
 */
export async function answerViaConsole(
  input: AnswerInput,
  options: {
    readonly apiUrl: string
    readonly token: string
    readonly wait: boolean
    readonly signal?: AbortSignal | undefined
  },
): Promise<AnswerOutcome> {
  // The console waits up to CONFIRM_TIMEOUT_MS itself before it answers: the client waits longer.
  const client = consoleClient(options.apiUrl, options.token, CONFIRM_TIMEOUT_MS + 10_000)
  const path = `/approvals/${encodeURIComponent(input.id)}/${input.action === 'APPROVE' ? 'approve' : 'reject'}`
  const answer = await client.post(path, { reason: input.reason }, answerSchema)
  if (answer.outcome === 'published' && options.wait && answer.error !== undefined) {
    throw new RiskctlError(answer.error, {
      code: 'RISKCTL_NOT_CONFIRMED',
      exitCode: ExitCode.unexpected,
      suggestions: [`Check it later: riskctl approvals list --all --api ${options.apiUrl}`],
    })
  }
  return answer as AnswerOutcome
}
