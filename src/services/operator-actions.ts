import { OPERATOR_ACTIONS } from '../../topologies/topics.js'
import { decodeJson } from '../contracts/decode.js'
import { operatorActionSchema } from '../contracts/operator-actions.js'
import type { OperatorActionRecord } from '../domain/operator-action.js'
import type { EventLog } from '../log/port.js'
import { readRange } from '../processors/read-range.js'
import { parseSince } from '../time-span.js'

export interface ActionQuery {
  readonly since?: string | undefined
  readonly actor?: string | undefined
  readonly corrId?: string | undefined
  readonly limit: number
}

export interface ActionTrail {
  /** Newest first. */
  readonly actions: readonly OperatorActionRecord[]
  /** Records of the topic that are no trail entry (damaged, or written by something else): counted, never hidden. */
  readonly unreadable: number
}

/**
 * `riskctl audit --actions`: the operator-action trail, read whole from operator_actions.v1 (a year of who tried
 * what is small next to the order flow's trail, which needs an index), filtered, newest first.
 */
export async function queryActions(log: EventLog, query: ActionQuery): Promise<ActionTrail> {
  const since = query.since === undefined ? undefined : parseSince(query.since, Date.now())
  const actor = query.actor?.toLowerCase()
  const matching: OperatorActionRecord[] = []
  let unreadable = 0
  await readRange(log, OPERATOR_ACTIONS, { type: 'earliest' }, (records) => {
    for (const record of records) {
      const decoded = decodeJson(operatorActionSchema, record.value)
      if (!decoded.ok) {
        unreadable += 1
        continue
      }
      const action = decoded.value
      if (since !== undefined && action.ts < since) continue
      if (actor !== undefined && !isActor(action, actor)) continue
      if (query.corrId !== undefined && action.corr_id !== query.corrId) continue
      matching.push(action)
    }
  })
  matching.sort((a, b) => b.ts - a.ts)
  return { actions: matching.slice(0, query.limit), unreadable }
}

/** `--actor alice` finds alice through the console, local:alice and sasl:alice, and failed logins in her name. */
function isActor(action: OperatorActionRecord, actor: string): boolean {
  const names = [action.actor, action.claimed]
    .filter((name) => name !== undefined)
    .map((name) => name.toLowerCase())
  return names.some(
    (name) => name === actor || (!actor.includes(':') && name.slice(name.indexOf(':') + 1) === actor),
  )
}
