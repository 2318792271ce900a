import type { ChalkInstance } from 'chalk'
import type { ReconcileReport } from '../services/reconcile.js'
import { printable } from '../render/printable.js'
import { renderTable } from './table.js'

/** At most this many breaks are listed for a person; --json has them all. */
const SHOWN_BREAKS = 50

/** `riskctl reconcile`: the balance in a few lines, then every break (or the first ones) by order_id and position. */
export function renderReconciliation(report: ReconcileReport, style: ChalkInstance): string {
  const period = `${new Date(report.from).toISOString()} – ${new Date(report.to).toISOString()}`
  const outcomes =
    Object.entries(report.by_decision)
      .map(([decision, count]) => `${decision} ${count}`)
      .join(', ') || 'none'
  const checks =
    Object.entries(report.by_check)
      .map(([check, count]) => `${check} ${count}`)
      .join(', ') || 'none'
  const lines = [
    `${report.balanced ? style.green.bold('BALANCED') : style.red.bold('DOES NOT BALANCE')}  ${period}`,
    `orders ${report.orders} = decided ${report.decided} + dead-lettered ${report.dead_lettered} + pending ${report.pending} (past the router's committed position)${report.breaks.some((b) => b.kind === 'UNDECIDED') ? ' + undecided' : ''}`,
    `decisions: ${outcomes}; forwarded to orders.gated.v1: ${report.gated}`,
    `checks that decided: ${checks}`,
  ]
  if (report.orders === 0) lines.push('No order was appended to orders.v1 in this period.')
  if (report.by_scope.length > 0)
    lines.push(
      `dropped per scope: ${report.by_scope
        .slice(0, 10)
        .map((s) => `${printable(s.scope)} ${s.dropped}`)
        .join(', ')}`,
    )
  if (report.breaks.length === 0) return lines.join('\n')
  lines.push(
    '',
    style.red(
      `${report.breaks.length} break(s)${report.breaks.length > SHOWN_BREAKS ? `, the first ${SHOWN_BREAKS} (--json has them all)` : ''}:`,
    ),
  )
  lines.push(
    renderTable(
      ['break', 'order_id', 'where', 'detail'],
      report.breaks
        .slice(0, SHOWN_BREAKS)
        .map((b) => [style.red(b.kind), printable(b.order_id ?? '-'), b.at, printable(b.detail)]),
    ),
  )
  return lines.join('\n')
}
