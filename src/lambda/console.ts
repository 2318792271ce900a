import type { FastifyInstance } from 'fastify'
import { KILL_STATE } from '../../topologies/topics.js'
import { buildOperatorApi } from '../processors/operator-api.js'
import type { KillState } from '../domain/kill-status.js'
import type { EventLog } from '../log/port.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { toInjectRequest, type HttpApiEvent, type HttpApiResult } from './http-event.js'
import { operatorTokenSecret } from './secret.js'
import { sharedLog } from './shared-log.js'

let scopes: readonly KillState[] = []
let app: Promise<FastifyInstance> | undefined

/**
 * The operator console on Lambda: the same fastify app as `riskctl up` serves, answering API
 * Gateway through inject(). API Gateway's authorizer checks the bearer token first; the app checks
 * it again, so no route depends on the gateway being configured right. GET and POST /limits read
 * and write through the shared log like the other routes; GET /audit is not routed here (the audit
 * index is a local SQLite file: `riskctl audit --profile NAME` queries it).
 */
export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  const log = await sharedLog()
  app ??= build(log).catch((error: unknown) => {
    app = undefined
    throw error
  })
  const api = await app
  if (event.rawPath === '/state') scopes = await readStates(log)
  const response = await api.inject(toInjectRequest(event))
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers))
    if (typeof value === 'string') headers[name] = value
  return { statusCode: response.statusCode, headers, body: response.body }
}

async function build(log: EventLog): Promise<FastifyInstance> {
  const token = await operatorTokenSecret()
  return buildOperatorApi({ log, token, currentState: () => scopes, health: () => ({ target: 'aws' }) })
}

/** GET /state answers from the compacted topic itself, the single source of truth. */
async function readStates(log: EventLog): Promise<KillState[]> {
  const view = await log.readCompacted(KILL_STATE)
  const states: KillState[] = []
  for (const record of view.records.values()) {
    const change = decodeStateRecord(record)
    if (change.type === 'state') states.push(change.state)
  }
  return states.sort((a, b) => a.scope.localeCompare(b.scope))
}
