import type { ChalkInstance } from 'chalk'
import type { AuditRecord } from '../domain/audit-record.js'
import { colorWord } from '../tui/render-record.js'
import { renderTable } from './table.js'

/** `riskctl audit`: one row per record, newest first. */
export function renderAuditRecords(records: readonly AuditRecord[], style: ChalkInstance): string {
  if (records.length === 0) return 'No audit records match.'
  return renderTable(
    ['time', 'decision', 'order_id', 'account', 'symbol', 'reason', 'corr_id'],
    records.map((r) => [
      new Date(r.ts).toISOString(),
      colorWord(r.decision, style),
      r.order_id,
      r.account_id,
      r.symbol,
      r.reason,
      style.dim(r.corr_id),
    ]),
  )
}
