import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { roleAtLeast, type Identity, type Role } from '../config/user-store.js'
import { formatIssues } from '../contracts/format-issues.js'
import type { ApprovalAction, ApprovalCommand } from '../domain/approval.js'
import { isRiskctlError } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { answerRequest, findRequest, readApprovals } from './approval-request.js'
import type { ActionOrigin } from './operator-trail.js'

export interface ConsoleApprovalsOptions {
  readonly log: EventLog
  readonly identityOf: (request: object) => Identity
  readonly originOf: (request: FastifyRequest) => ActionOrigin
  readonly markTrailed: (request: object) => void
  readonly forbidden: (reply: FastifyReply, identity: Identity, needed: Role, action: string) => FastifyReply
  /** How long an answer waits for the aggregator to carry it out before the console says it was only sent. */
  readonly confirmTimeoutMs?: number | undefined
}

const answerSchema = z.strictObject({ reason: z.string({ error: 'reason is required: it goes into the audit trail' }).min(1) })
const listSchema = z.strictObject({ status: z.enum(['pending', 'all'], { error: 'status takes pending or all' }).optional() })

/**
 * GET /approvals, and POST /approvals/:id/approve and /reject: four-eyes unkill through the console. Answering is a
 * supervisor's; approving one's own request is refused (403), as the aggregator refuses it again.
 */
export function registerApprovals(secured: FastifyInstance, options: ConsoleApprovalsOptions): void {
  secured.get('/approvals', async (request, reply) => {
    const query = listSchema.safeParse(request.query ?? {})
    if (!query.success) return reply.code(400).send({ error: formatIssues(query.error) })
    const all = await readApprovals(options.log)
    return { approvals: query.data.status === 'all' ? all : all.filter((a) => a.status === 'PENDING') }
  })
  for (const [path, action] of [
    ['/approvals/:id/approve', 'APPROVE'],
    ['/approvals/:id/reject', 'REJECT'],
  ] as const) {
    secured.post(path, async (request, reply) => answer(options, action, request, reply))
  }
}

async function answer(options: ConsoleApprovalsOptions, action: ApprovalAction, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const identity = options.identityOf(request)
  if (!roleAtLeast(identity.role, 'supervisor')) return options.forbidden(reply, identity, 'supervisor', action)
  const body = answerSchema.safeParse(request.body ?? {})
  if (!body.success) return reply.code(400).send({ error: formatIssues(body.error) })
  const id = (request.params as { id: string }).id
  let sent: ApprovalCommand | undefined
  try {
    // The same path as `riskctl approve` on the log: checked, published with its trail entry, then followed until the
    // aggregator has carried it out or refused it, so that the answer says which.
    const outcome = await answerRequest(
      options.log,
      { id, action, operator: identity.name, reason: body.data.reason },
      {
        wait: true,
        origin: options.originOf(request),
        timeoutMs: options.confirmTimeoutMs,
        onPublished: (command, trailed) => {
          sent = command
          if (trailed) options.markTrailed(request)
        },
      },
    )
    const command = outcome.outcome === 'published' ? outcome.command : sent
    return reply.code(200).send({ ...outcome, ...(command === undefined ? {} : { cmd_id: command.cmd_id, corr_id: command.corr_id, command }) })
  } catch (error) {
    if (!isRiskctlError(error)) throw error
    if (sent !== undefined && error.code === 'RISKCTL_NOT_CONFIRMED') {
      const request = findRequest(await readApprovals(options.log), sent.request_id)
      return reply.code(202).send({ outcome: 'published', command: sent, request, error: error.message })
    }
    const status =
      { RISKCTL_REQUEST_UNKNOWN: 404, RISKCTL_SELF_APPROVAL: 403, RISKCTL_APPROVER_UNNAMED: 403 }[error.code] ??
      (error.exitCode === 2 ? 400 : error.exitCode === 5 ? 409 : undefined)
    if (status === undefined) throw error
    return reply.code(status).send({ error: error.message, suggestions: error.suggestions })
  }
}
