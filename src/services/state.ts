import type { KillState } from '../domain/kill-status.js'
import type { EventLog } from '../log/port.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { KILL_STATE } from '../../topologies/topics.js'

const ORDER = { GLOBAL: 0, ACCOUNT: 1, SYMBOL: 2, STRATEGY: 3 } as const

/** Every scope's current state, read from the compacted topic to its end: GLOBAL first, then by kind and id. */
export async function readKillStates(log: EventLog): Promise<KillState[]> {
  const view = await log.readCompacted(KILL_STATE)
  const states: KillState[] = []
  for (const record of view.records.values()) {
    const change = decodeStateRecord(record)
    if (change.type === 'state') states.push(change.state)
  }
  return states.sort((a, b) => rank(a.scope) - rank(b.scope) || a.scope.localeCompare(b.scope))
}

function rank(scope: string): number {
  const kind = scope.split(':', 1)[0] as keyof typeof ORDER
  return ORDER[kind] ?? 9
}
