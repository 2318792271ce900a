import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { formatIssues } from '../contracts/format-issues.js'
import { isRiskctlError } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { buildOperatorCommand, publishCommand, type OperatorAction } from './operator-command.js'
import { tokenMatches } from '../config/operator-token.js'
import { loadLimitsTopology, type LimitsTopology } from '../config/limits-topology.js'
import { roleAtLeast, type Identity, type Role, type UserStore } from '../config/user-store.js'
import { registerLimitsAndAudit, type ConsoleAudit } from './console-limits-audit.js'

export type { ConsoleAudit, ConsoleAuditQuery } from './console-limits-audit.js'

export const BODY_LIMIT_BYTES = 64 * 1024

/**
 * Who the data directory's bootstrap token stands for: the admin of a fresh data directory, before any user is
 * added (`riskctl users add`), with every right. What it publishes is recorded as this operator's.
 */
export const CONSOLE_OPERATOR = 'console'
const BOOTSTRAP: Identity = { name: CONSOLE_OPERATOR, role: 'supervisor', bootstrap: true }

export interface OperatorApiOptions {
  readonly log: EventLog
  /** The bootstrap token: the admin's. */
  readonly token: string
  /** The named users whose personal tokens the console also takes (`riskctl up`: the data directory's). */
  readonly users?: Pick<UserStore, 'authenticate'> | undefined
  /** The current state per scope, as the router holds it. */
  readonly currentState: () => readonly KillState[] | Promise<readonly KillState[]>
  readonly health: () => Record<string, unknown>
  /** GET /audit answers from it; without one (no data directory, Lambda) GET /audit answers 501. */
  readonly audit?: ConsoleAudit | undefined
  /** How long POST /limits waits for risk_limits.v1 to show the change (default 10 s, as `riskctl limits set`). */
  readonly limitsConfirmTimeoutMs?: number | undefined
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
    return reply.code(500).send({ error: 'internal error' })
  })

  app.get('/health', async () => ({ status: 'ok', ...options.health() }))

  // The identity each request was authenticated as, set by the bearer-token hook before any route runs.
  const identities = new WeakMap<object, Identity>()
  const identityOf = (request: object): Identity => {
    const identity = identities.get(request)
    if (identity === undefined) throw new Error('a secured route ran without an authenticated identity')
    return identity
  }

  app.register(async (secured) => {
    secured.addHook('onRequest', async (request, reply) => {
      const identity = await authenticate(request, options)
      if (identity !== undefined) {
        identities.set(request, identity)
      } else {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Bearer realm="riskctl"')
          .send({ error: 'missing or wrong bearer token: send Authorization: Bearer <token>' })
      }
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
        return handleCommand(options, action, identity, request, reply)
      })
    }
    registerLimitsAndAudit(secured, {
      log: options.log,
      identityOf,
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
  await publishCommand(options.log, command)
  return reply.code(202).send({ cmd_id: command.cmd_id, corr_id: command.corr_id, command })
}

/** The bootstrap token is the admin; any other is a user's personal token, or nobody's. */
async function authenticate(request: FastifyRequest, options: OperatorApiOptions): Promise<Identity | undefined> {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  const presented = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]
  if (presented === undefined) return undefined
  if (tokenMatches(options.token, presented)) return BOOTSTRAP
  return options.users?.authenticate(presented)
}
