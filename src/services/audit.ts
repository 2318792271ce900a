import type { AuditRecord } from '../domain/audit-record.js'
import type { ConsoleAuditQuery } from '../processors/console-limits-audit.js'
import type { EventLog } from '../log/port.js'
import { canonicalId } from '../domain/identifiers.js'
import { AuditIndex } from './audit-index/audit-index.js'
import { parseSince } from '../time-span.js'

export { parseSince }

/** The filters of `riskctl audit`, the same the console's GET /audit checks. */
export type AuditQueryInput = ConsoleAuditQuery

/** Catches the local index up with audit.v1, then answers from it: newest first. */
export async function queryAudit(
  log: EventLog,
  dataDir: string,
  input: AuditQueryInput,
): Promise<AuditRecord[]> {
  const since = input.since === undefined ? undefined : parseSince(input.since, Date.now())
  return AuditIndex.use(log, dataDir, (index) => {
    // The trail holds canonical ids: `--account ABC-1` finds what the router recorded as abc-1.
    const account = input.account === undefined ? undefined : canonicalId('account', input.account)
    return index.query({
      account: account?.ok === true ? account.id : input.account,
      decision: input.decision,
      corrId: input.corrId,
      check: input.check,
      since,
      limit: input.limit,
    })
  })
}
