import { describe, expect, it } from 'vitest'
import { unappliedCommands } from '../../src/cloud/lambda/redelivery.js'
import type { KillCommand } from '../../src/contracts/messages.js'
import type { CompactedView, LogRecord } from '../../src/log/port.js'
import { buildOperatorCommand } from '../../src/services/operator-command.js'

function command(scope: string, action: 'KILL' | 'UNKILL'): KillCommand {
  return buildOperatorCommand({ scope, action, reason: 'r', operator: 'alice' })
}

function record(value: object | string, offset: number): LogRecord {
  return {
    topic: 'killswitch.commands.v1',
    partition: 0,
    offset,
    key: null,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: 0,
    headers: {},
  }
}

/** The compacted state with each scope's last applied command. */
function stateAfter(...applied: KillCommand[]): CompactedView {
  const records = new Map<string, LogRecord>()
  for (const c of applied) {
    const state = {
      scope: c.scope,
      status: c.action === 'KILL' ? 'KILLED' : 'ACTIVE',
      updated_ts: 1,
      updated_by: 'alice',
      reason: 'r',
      last_cmd_id: c.cmd_id,
      corr_id: c.corr_id,
    }
    records.set(c.scope, { ...record(state, 0), topic: 'killswitch.state.v1', key: c.scope })
  }
  return { records, endOffsets: [] }
}

describe('a redelivered command batch', () => {
  const kill = command('ACCOUNT:1', 'KILL')
  const unkill = command('ACCOUNT:1', 'UNKILL')
  const other = command('ACCOUNT:2', 'KILL')
  const batch = [record(kill, 0), record(other, 1), record('not json', 2), record(unkill, 3)]
  const offsets = (records: LogRecord[]) => records.map((r) => r.offset)

  it('keeps every command when the state reflects none of them', () => {
    expect(offsets(unappliedCommands(batch, stateAfter()))).toEqual([0, 1, 2, 3])
  })

  it("drops a scope's commands up to the one the state names, and nothing of other scopes", () => {
    // The first attempt applied KILL and UNKILL of ACCOUNT:1, then failed before ACCOUNT:2's
    expect(offsets(unappliedCommands(batch, stateAfter(unkill)))).toEqual([1, 2])
    // It applied only the KILL: the UNKILL is still to come
    expect(offsets(unappliedCommands(batch, stateAfter(kill)))).toEqual([1, 2, 3])
  })

  it('drops everything once all of it was applied, and keeps what does not decode for the dead letters', () => {
    expect(offsets(unappliedCommands(batch, stateAfter(unkill, other)))).toEqual([2])
  })
})
