import type { ChalkInstance } from 'chalk'
import type { AuditRecord } from '../domain/audit-record.js'
import { colorWord } from '../tui/render-record.js'
import { renderTable } from './table.js'
import { printable } from '../render/printable.js'
import type { ActionTrail } from '../services/operator-actions.js'
import { UNAUTHENTICATED, type ActionOutcome } from '../domain/operator-action.js'

/** `riskctl audit`: one row per record, newest first. */
export function renderAuditRecords(records: readonly AuditRecord[], style: ChalkInstance): string {
  if (records.length === 0) return 'No audit records match.'
  return renderTable(
    ['time', 'decision', 'order_id', 'account', 'symbol', 'reason', 'corr_id'],
    records.map((r) => [
      new Date(r.ts).toISOString(),
      colorWord(r.decision, style),
      printable(r.order_id),
      printable(r.account_id),
      printable(r.symbol),
      printable(r.reason),
      style.dim(r.corr_id),
    ]),
  )
}

/** `riskctl audit --actions`: one row per attempt, newest first. */
export function renderActionTrail(trail: ActionTrail, style: ChalkInstance): string {
  const damaged =
    trail.unreadable === 0
      ? ''
      : `\n${style.yellow(`${trail.unreadable} record(s) of operator_actions.v1 are no trail entry: see them with riskctl tail operator_actions.v1 --from beginning --no-follow`)}`
  if (trail.actions.length === 0) return `No operator actions match.${damaged}`
  const table = renderTable(
    ['time', 'actor', 'role', 'from', 'action', 'scope', 'outcome', 'detail'],
    trail.actions.map((a) => [
      new Date(a.ts).toISOString(),
      printable(
        a.actor === UNAUTHENTICATED && a.claimed !== undefined ? `${a.actor} (as ${a.claimed})` : a.actor,
      ),
      a.role ?? '-',
      printable(`${a.channel} ${a.from}`),
      printable(a.action),
      printable(a.scope ?? '-'),
      outcomeWord(a.outcome, a.status, style),
      printable(a.detail),
    ]),
  )
  return `${table}${damaged}`
}

function outcomeWord(outcome: ActionOutcome, status: number | undefined, style: ChalkInstance): string {
  const text = status === undefined ? outcome : `${outcome} ${status}`
  return outcome === 'ALLOWED'
    ? style.green(text)
    : outcome === 'FAILED'
      ? style.yellow(text)
      : style.red(text)
}
