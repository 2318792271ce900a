import type { CompactedView, LogRecord } from '../../log/port.js'
import { decodeStateRecord } from '../../processors/records.js'

/**
 * The command records of a batch that the state topic does not reflect yet. The event source mapping
 * redelivers a whole batch when an invocation fails, even one whose state records were already
 * written, and each invocation's Aggregator starts with no memory of ids it has seen. The compacted
 * state names the last command applied to each scope; a scope's commands share a partition (their
 * key is the scope), so every command of that scope up to that one in the batch was applied before
 * it, and applying them again would replay, say, a KILL that an UNKILL later in the batch undid.
 * Records that do not decode are kept: the aggregator dead-letters them.
 */
export function unappliedCommands(records: readonly LogRecord[], state: CompactedView): LogRecord[] {
  const applied = new Map<string, number>()
  records.forEach((record, index) => {
    const command = commandIdentity(record)
    if (command === undefined) return
    const current = state.records.get(command.scope)
    if (current === undefined) return
    const change = decodeStateRecord(current)
    if (change.type === 'state' && change.state.last_cmd_id === command.cmdId)
      applied.set(command.scope, index)
  })
  if (applied.size === 0) return [...records]
  return records.filter((record, index) => {
    const scope = commandIdentity(record)?.scope
    return scope === undefined || index > (applied.get(scope) ?? -1)
  })
}

function commandIdentity(record: LogRecord): { scope: string; cmdId: string } | undefined {
  if (record.value === null) return undefined
  try {
    const value: unknown = JSON.parse(record.value.toString('utf8'))
    if (typeof value !== 'object' || value === null) return undefined
    const { scope, cmd_id: cmdId } = value as { scope?: unknown; cmd_id?: unknown }
    return typeof scope === 'string' && typeof cmdId === 'string' ? { scope, cmdId } : undefined
  } catch {
    return undefined
  }
}
