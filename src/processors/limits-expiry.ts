import { createHash } from 'node:crypto'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { LIMITS_REVERTER } from '../domain/pretrade/apply-limits.js'

const MAX_CMD_ID_CHARS = 128
const PREFIX = 'revert-'

/**
 * The cmd_id of the REVERT that ends a temporary change: derived from the change alone, so that a second aggregator,
 * or one restarted before it read its own REVERT back, writes the same command, which is then a DUPLICATE.
 */
export function revertCommandId(temporaryCmdId: string): string {
  const plain = `${PREFIX}${temporaryCmdId}`
  if (plain.length <= MAX_CMD_ID_CHARS) return plain
  return `${PREFIX}sha256-${createHash('sha256').update(temporaryCmdId).digest('hex')}`
}

/**
 * The REVERT_LIMITS commands due at `nowMs` on the aggregator's clock: one per record whose temporary change has
 * expired, unless one was already asked for. Carries the change's corr_id, so that the trail links the two.
 */
export function dueReverts(
  records: Iterable<LimitsRecord>,
  alreadyAsked: (cmdId: string) => boolean,
  nowMs: number,
): LimitsCommand[] {
  const due: LimitsCommand[] = []
  for (const record of records) {
    const temporary = record.temporary_cmd_id
    if (temporary === undefined || record.expires_ts === undefined || nowMs < record.expires_ts) continue
    const cmdId = revertCommandId(temporary)
    if (alreadyAsked(cmdId)) continue
    due.push({
      cmd_id: cmdId,
      ts: nowMs,
      scope: record.scope,
      action: 'REVERT_LIMITS',
      reverts: temporary,
      reason: `temporary change ${temporary} expired at ${new Date(record.expires_ts).toISOString()}`,
      triggered_by: LIMITS_REVERTER,
      corr_id: record.corr_id,
    })
  }
  return due
}
