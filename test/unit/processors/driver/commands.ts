import type { CommandRecord } from '../../../../src/contracts/commands.js'
import type { Voucher } from '../../../../src/domain/operator-voucher.js'
import type { LogRecord } from '../../../../src/log/port.js'
import { allowedAction } from '../../../../src/processors/operator-trail.js'
import { commandDigest } from '../../../../src/processors/command-codec.js'
import { encode } from '../../../../src/processors/topic-codec.js'
import { OPERATOR_ACTIONS } from '../../../../topologies/topics.js'
import type { KillCommand } from '../../../../src/domain/kill-command.js'
import type { LimitsCommand } from '../../../../src/domain/pretrade/limits-command.js'

let ids = 0

/** A command as the operator channel sends it; tests override what they are about. */
export function aCommand(scope: string, action: KillCommand['action'], extra: Partial<KillCommand> = {}): KillCommand {
  ids += 1
  return {
    cmd_id: `c-${ids}`,
    ts: Date.UTC(2026, 11, 4, 14, 0, 0),
    scope,
    action,
    reason: 'test',
    triggered_by: 'operator',
    operator: 'alice',
    corr_id: `k-${ids}`,
    ...extra,
  }
}

/** A limits command as `riskctl limits set` sends it; tests override what they are about. */
export function aLimitsCommand(scope: string, extra: Partial<LimitsCommand> = {}): LimitsCommand {
  ids += 1
  return {
    cmd_id: `l-${ids}`,
    ts: Date.UTC(2026, 11, 4, 14, 0, 0),
    scope,
    action: 'SET_LIMITS',
    reason: 'test',
    triggered_by: 'operator',
    operator: 'alice',
    corr_id: `m-${ids}`,
    ...extra,
  }
}

/** The ALLOWED entries that the operator channel writes beside these commands, as the aggregator keeps them. */
export function vouchersFor(...commands: CommandRecord[]): Map<string, Voucher[]> {
  const vouchers = new Map<string, Voucher[]>()
  for (const command of commands) {
    const entry = { ts: command.ts, cmd_id: command.cmd_id, digest: commandDigest(command), actor: command.operator ?? command.triggered_by, action: command.action, scope: command.scope }
    vouchers.set(command.cmd_id, [...(vouchers.get(command.cmd_id) ?? []), entry])
  }
  return vouchers
}

/** A command's ALLOWED entry in operator_actions.v1, as a record of that topic. */
export function trailRecordOf(command: CommandRecord, offset = 0, timestamp = command.ts): LogRecord {
  const produced = encode(OPERATOR_ACTIONS, allowedAction(command, { channel: 'cli', from: 'test' }), { timestamp })
  return { topic: OPERATOR_ACTIONS, partition: 0, offset, key: produced.key, value: produced.value, timestamp, headers: {} }
}
