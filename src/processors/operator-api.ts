import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { formatIssues } from '../contracts/format-issues.js'
import { ExitCode, isRiskctlError } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { buildOperatorCommand, publishCommand, type OperatorAction } from './operator-command.js'
import { loadLimitsTopology, type LimitsTopology } from '../config/limits-topology.js'
import { roleAtLeast, type Identity, type Role, type UserStore } from '../config/user-store.js'
import { registerLimitsAndAudit, type ConsoleAudit } from './console-limits-audit.js'
import { registerApprovals } from './console-approvals.js'
import { askerRefusal, needsApproval, type FourEyesPolicy } from '../domain/approval.js'
import { BOOTSTRAP_OPERATOR } from '../domain/operator-identity.js'
import { consoleAuthenticator, type FailedLoginLimit } from './console-auth.js'
import { belongsInTrail, consoleActionRecord, type AnsweredRequest } from './console-trail.js'
import { recordAction, type ActionOrigin } from './operator-trail.js'
import { OPERATOR_ACTIONS } from '../../topologies/topics.js'

export type { ConsoleAudit, ConsoleAuditQuery } from './console-limits-audit.js'

export const BODY_LIMIT_BYTES = 64 * 1024

/**
 * Who the data directory's bootstrap token stands for: the admin of a fresh data directory, before any user is
 * added (`riskctl users add`), with every right. What it publishes is recorded as this operator's.
 */
export const CONSOLE_OPERATOR = BOOTSTRAP_OPERATOR
const BOOTSTRAP: Identity = { name: CONSOLE_OPERATOR, role: 'supervisor', bootstrap: true }

export interface OperatorApiOptions {
  readonly log: EventLog
  /** The bootstrap token: the admin's. */
  readonly token: string
  /** The named users whose personal tokens the console also takes (`riskctl up`: the data directory's). */
  readonly users?: Pick<UserStore, 'authenticate' | 'remembered'> | undefined
  /** The current state per scope, as the router holds it. */
  readonly currentState: () => readonly KillState[] | Promise<readonly KillState[]>
  readonly health: () => Record<string, unknown>
  /** GET /audit answers from it; without one (no data directory, Lambda) GET /audit answers 501. */
  readonly audit?: ConsoleAudit | undefined
  /** How long POST /limits and an approval's POST wait for the aggregator to carry them out (default 10 s, as the CLI). */
  readonly limitsConfirmTimeoutMs?: number | undefined
  /** Four-eyes unkill, as the aggregator holds it: POST /unkill then answers that the request awaits approval. */
  readonly fourEyes?: FourEyesPolicy | undefined
  /** Failed logins per client and window before 429 (default 10 a minute). */
  readonly failedLogins?: FailedLoginLimit | undefined
  /** Told when an entry of the operator-action trail could not be written (default: a line on stderr). */
  readonly onTrailError?: ((error: unknown) => void) | undefined
  /** The routers' limits topology, whose defaults a change of limits is judged against (default: topologies/limits.json). */
  readonly limits?: LimitsTopology | undefined
}

const requestSchema = z.object({
  scope: z.string({ error: 'scope is required' }),
  reason: z.string({ error: 'reason is required: it goes into the audit trail' }),
  /** Only as a check: the operator is whoever the token authenticates, and a different name is refused. */
  operator: z.string().min(1).max(128).optional(),
  max_orders_per_sec: z.number().int().positive().optional(),
})

/**
 * The operator console: the seed's curl-able API, with a bearer token. Every accepted request
 * publishes exactly one command carrying the operator's identity. Errors say what is wrong and
 * never echo the Authorization header.
 */
export function buildOperatorApi(options: OperatorApiOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES })

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500
    if (status === 413) return reply.code(413).send({ error: `request body is larger than ${BODY_LIMIT_BYTES} bytes` })
    if (status === 415) return reply.code(415).send({ error: 'send JSON with Content-Type: application/json' })
    if (status === 400) return reply.code(400).send({ error: `bad request: ${error.message}` })
    // A processor restarting, a log reconnecting: try again shortly, and never read it as "nothing is killed".
    if (isRiskctlError(error) && error.retriable) return reply.code(503).header('Retry-After', '1').send({ error: error.message })
    // Something on the log must change first (the operator-action trail's topic, say): said, not hidden as a 500.
    if (isRiskctlError(error) && error.exitCode === ExitCode.precondition) return reply.code(409).send({ error: error.message, suggestions: error.suggestions })
    return reply.code(500).send({ error: 'internal error' })
  })

  app.get('/health', async () => ({ status: 'ok', ...options.health() }))

  // What each request was authenticated as, set by the bearer-token hook before any route runs.
  const known = new WeakMap<object, AnsweredRequest>()
  const identityOf = (request: object): Identity => {
    const identity = known.get(request)?.identity
    if (identity === undefined) throw new Error('a secured route ran without an authenticated identity')
    return identity
  }
  // Requests whose ALLOWED entry went onto the trail with the command itself, in one write.
  const trailed = new WeakSet<object>()
  // A rate-limited client's requests after the one that took it over the limit: one entry says it, not each.
  const silenced = new WeakSet<object>()
  const originOf = (request: FastifyRequest): ActionOrigin => ({ channel: 'console', from: request.ip || 'unknown', role: identityOf(request).role })
  const authenticate = consoleAuthenticator(app, { token: options.token, users: options.users, limit: options.failedLogins, bootstrap: BOOTSTRAP })

  // Before the answer leaves: a refusal is on the trail by the time the client hears of it.
  app.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode
    if (silenced.has(request) || (trailed.has(request) && status < 400) || !belongsInTrail(request, status)) return payload
    const record = consoleActionRecord(request, reply, payload, known.get(request) ?? { identity: undefined, claimed: undefined }, Date.now())
    try {
      await recordAction(options.log, record)
    } catch (error) {
      ;(options.onTrailError ?? reportTrailError)(error)
    }
    return payload
  })

  app.register(async (secured) => {
    secured.addHook('onRequest', async (request, reply) => {
      const verdict = await authenticate(request)
      if (verdict.type === 'authenticated') {
        known.set(request, { identity: verdict.identity, claimed: undefined })
        return
      }
      known.set(request, { identity: undefined, claimed: verdict.claimed })
      if (verdict.type === 'rate-limited') {
        if (!verdict.first) silenced.add(request)
        return reply
          .code(429)
          .header('Retry-After', String(verdict.retryAfterSeconds))
          .send({
            error: `too many failed logins from ${request.ip}${verdict.claimed === undefined ? '' : ` as ${verdict.claimed}`}: try again in ${verdict.retryAfterSeconds} s`,
          })
      }
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="riskctl"')
        .send({ error: 'missing or wrong bearer token: send Authorization: Bearer <token>' })
    })
    secured.get('/state', async () => ({ scopes: await options.currentState() }))
    for (const [path, action, needed] of [
      ['/kill', 'KILL', 'operator'],
      ['/unkill', 'UNKILL', 'supervisor'],
      ['/throttle', 'THROTTLE', 'operator'],
    ] as const) {
      secured.post(path, async (request, reply) => {
        const identity = identityOf(request)
        if (!roleAtLeast(identity.role, needed)) return forbidden(reply, identity, needed, `${action}`)
        return handleCommand(options, action, identity, request, reply, originOf(request), () => trailed.add(request))
      })
    }
    registerApprovals(secured, {
      log: options.log,
      identityOf,
      originOf,
      markTrailed: (request) => trailed.add(request),
      forbidden,
      confirmTimeoutMs: options.limitsConfirmTimeoutMs,
    })
    registerLimitsAndAudit(secured, {
      log: options.log,
      identityOf,
      originOf,
      markTrailed: (request) => trailed.add(request),
      forbidden,
      defaults: (options.limits ?? loadLimitsTopology()).defaults,
      audit: options.audit,
      confirmTimeoutMs: options.limitsConfirmTimeoutMs,
    })
  })
  return app
}

/** 403, naming the role the action needs and the one the caller has. */
export function forbidden(reply: FastifyReply, identity: Identity, needed: Role, action: string): FastifyReply {
  return reply.code(403).send({
    error: `${action} needs the role ${needed}; ${identity.name} is ${identity.role}`,
    needed_role: needed,
    role: identity.role,
  })
}

async function handleCommand(
  options: OperatorApiOptions,
  action: OperatorAction,
  identity: Identity,
  request: FastifyRequest,
  reply: FastifyReply,
  origin: ActionOrigin,
  markTrailed: () => void,
): Promise<unknown> {
  const body = requestSchema.safeParse(request.body ?? {})
  if (!body.success) return reply.code(400).send({ error: formatIssues(body.error) })
  if (body.data.operator !== undefined && body.data.operator !== identity.name) {
    return reply.code(400).send({
      error: `operator ${JSON.stringify(body.data.operator)} is not who the bearer token authenticates (${identity.name}): the operator is never the body's to say`,
    })
  }
  let command: KillCommand
  try {
    command = buildOperatorCommand({
      scope: body.data.scope,
      action,
      reason: body.data.reason,
      operator: identity.name,
      maxOrdersPerSec: body.data.max_orders_per_sec,
    })
  } catch (error) {
    if (isRiskctlError(error)) {
      return reply.code(400).send({ error: error.message, suggestions: error.suggestions })
    }
    throw error
  }
  if (command.action === 'THROTTLE' && !roleAtLeast(identity.role, 'supervisor')) {
    // A throttle replaces whatever the scope's state is: over a KILL, or with a higher cap, it lets more through.
    const state = (await options.currentState()).find((candidate) => candidate.scope === command.scope)
    const looser =
      state?.status === 'KILLED' ||
      (state?.status === 'THROTTLED' && (state.max_orders_per_sec ?? 0) < (command.max_orders_per_sec ?? 0))
    if (looser) return forbidden(reply, identity, 'supervisor', `THROTTLE of ${command.scope}, ${state.status} now, to a looser state`)
  }
  // Held by the aggregator for a second person: the client is told so, not left waiting for a state that won't come.
  const inForce = options.fourEyes?.unkill === true ? (await options.currentState()).find((candidate) => candidate.scope === command.scope) : undefined
  const isHeld = options.fourEyes !== undefined && needsApproval(options.fourEyes, command, inForce)
  const unnamed = isHeld ? askerRefusal(identity.name) : undefined
  // The aggregator would refuse it too; refused here, before anything is sent, with the status that says why.
  if (unnamed !== undefined) return reply.code(403).send({ error: `${unnamed} (four eyes)`, suggestions: ['Ask with a personal token: riskctl users add NAME --role supervisor'] })
  const { trailed } = await publishCommand(options.log, command, origin)
  if (trailed) markTrailed()
  const held = isHeld ? { approval_required: true, request_id: command.cmd_id } : {}
  return reply.code(202).send({ cmd_id: command.cmd_id, corr_id: command.corr_id, command, ...held })
}

function reportTrailError(error: unknown): void {
  process.stderr.write(`riskctl console: an entry of ${OPERATOR_ACTIONS} could not be written: ${(error as Error).message}\n`)
}
