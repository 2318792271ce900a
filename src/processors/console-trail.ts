import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Identity } from '../config/user-store.js'
import { UNAUTHENTICATED, type ActionOutcome, type OperatorActionRecord } from '../domain/operator-action.js'
import { bounded } from './operator-trail.js'

/** The console's routes that act, by the action the trail names them by. */
const ACTIONS: Readonly<Record<string, string>> = {
  'POST /kill': 'KILL',
  'POST /unkill': 'UNKILL',
  'POST /throttle': 'THROTTLE',
  'POST /limits': 'SET_LIMITS',
  'POST /approvals/:id/approve': 'APPROVE',
  'POST /approvals/:id/reject': 'REJECT',
}

/** What the console knows of a request by the time it answers. */
export interface AnsweredRequest {
  readonly identity: Identity | undefined
  /** For a failed login with a personal token's shape: the user it named. */
  readonly claimed: string | undefined
}

/**
 * Whether the answer to this request belongs in the operator-action trail: every attempt to act, and every request
 * refused (a failed login, a role short of what is needed, a body naming another operator), reads too. An answered
 * read (GET /state every 100 ms while a client waits) is not an action, and a path the console does not have is
 * nobody's (a route's own 404, an unknown request id, is an attempt like any other).
 */
export function belongsInTrail(request: FastifyRequest, status: number): boolean {
  if (request.is404 || request.url.startsWith('/health')) return false
  return request.method !== 'GET' || status >= 400
}

/** The trail's entry for a console request, from what was answered. */
export function consoleActionRecord(request: FastifyRequest, reply: FastifyReply, payload: unknown, known: AnsweredRequest, now: number): OperatorActionRecord {
  const status = reply.statusCode
  const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`
  const answer = parsedAnswer(payload)
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>
  const scope = typeof body.scope === 'string' && body.scope.trim() !== '' ? body.scope.trim().slice(0, 128) : undefined
  const reason = typeof body.reason === 'string' && body.reason.trim() !== '' ? body.reason : undefined
  const detail = typeof answer.error === 'string' ? answer.error : (reason ?? `${status} ${route}`)
  return {
    action_id: randomUUID(),
    ts: now,
    actor: known.identity?.name ?? UNAUTHENTICATED,
    ...(known.identity === undefined ? {} : { role: known.identity.role }),
    ...(known.identity === undefined && known.claimed !== undefined ? { claimed: known.claimed } : {}),
    channel: 'console',
    from: (request.ip || 'unknown').slice(0, 256),
    action: ACTIONS[route] ?? route.slice(0, 128),
    ...(scope === undefined ? {} : { scope }),
    outcome: outcomeOf(status),
    status,
    detail: bounded(detail),
    ...(typeof answer.cmd_id === 'string' ? { cmd_id: answer.cmd_id.slice(0, 128) } : {}),
    ...(typeof answer.corr_id === 'string' ? { corr_id: answer.corr_id.slice(0, 128) } : {}),
  }
}

function outcomeOf(status: number): ActionOutcome {
  if (status < 400) return 'ALLOWED'
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403 || status === 409) return 'REFUSED'
  if (status === 429) return 'RATE_LIMITED'
  if (status < 500) return 'INVALID'
  return 'FAILED'
}

function parsedAnswer(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'string') return {}
  try {
    const value: unknown = JSON.parse(payload)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
