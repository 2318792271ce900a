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
