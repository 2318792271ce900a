import type { ControlAction, ControlEpisode } from '../domain/kill-activity.js'
import { printable } from './printable.js'
import { EPISODE_COLUMNS, episodeCells, iso, money } from './report-text.js'

/** The kill activity report as every form prints it (src/services/report.ts gathers it). */
export interface ReportView {
  /** The period, and when the report was made. */
  readonly from: number
  readonly to: number
  readonly generated_ts: number
  /** Nothing happened in the period: no order decided and no control applied. */
  readonly empty: boolean
  /** Every control the aggregator applied in the period: kills, throttles, unkills and limits changes, oldest first. */
  readonly actions: readonly ControlAction[]
  /** Each kill and throttle, with how long it held, what it stopped and how fast. */
  readonly episodes: readonly ControlEpisode[]
  readonly totals: {
    readonly kills: number
    readonly throttles: number
    readonly unkills: number
    readonly limits_changes: number
    readonly orders_dropped: number
    readonly notional_stopped: number
  }
  readonly reconciliation: {
    readonly balanced: boolean
    readonly orders: number
    readonly decided: number
    readonly dead_lettered: number
    readonly pending: number
    readonly breaks: number
  }
  readonly audit_chain: { readonly checked: boolean; readonly why: string }
}

export function emptyPeriod(view: ReportView): string {
  return `No order was decided and no control was applied between ${iso(view.from)} and ${iso(view.to)}.`
}

export function balanceLine(view: ReportView): string {
  const r = view.reconciliation
  const counts = `${r.orders} orders: ${r.decided} decided, ${r.dead_lettered} dead-lettered, ${r.pending} pending`
  return r.balanced
    ? `balanced (${counts})`
    : `DOES NOT BALANCE: ${r.breaks} break(s) (${counts}); riskctl reconcile lists them`
}

/** The report as Markdown: a summary, each kill and throttle, and every control applied. */
export function reportMarkdown(view: ReportView): string {
  const lines = [
    '# Kill activity report',
    '',
    `Period: ${iso(view.from)} – ${iso(view.to)} (generated ${iso(view.generated_ts)})`,
    '',
  ]
  if (view.empty) return [...lines, emptyPeriod(view), ''].join('\n')
  const t = view.totals
  lines.push(
    '## Summary',
    '',
    '| kills | throttles | unkills | limits changes | orders dropped | notional stopped |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${t.kills} | ${t.throttles} | ${t.unkills} | ${t.limits_changes} | ${t.orders_dropped} | ${money(t.notional_stopped)} |`,
    '',
    `- Reconciliation: ${balanceLine(view)}`,
    `- Audit chain: ${view.audit_chain.checked ? 'intact' : `not checked: ${view.audit_chain.why}`}`,
    '',
    '## Kills and throttles',
    '',
  )
  if (view.episodes.length === 0) lines.push('None in this period.', '')
  else lines.push(table([...EPISODE_COLUMNS], view.episodes.map(episodeCells)), '')
  lines.push('## Every control applied', '')
  if (view.actions.length === 0) lines.push('None in this period.', '')
  else
    lines.push(
      table(
        ['applied', 'action', 'scope', 'by', 'reason', 'corr_id'],
        view.actions.map((a) => [iso(a.ts), a.action, a.scope, a.who ?? '', a.reason ?? '', a.corr_id]),
      ),
      '',
    )
  return lines.join('\n')
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // Text from people: no control character reaches a terminal, no markup reaches a Markdown viewer, no cell ends early.
  const cell = (text: string) =>
    printable(text.replace(/[\r\n]+/g, ' '))
      .replace(/\\/g, '\\\\')
      .replace(/[|[\]]/g, (char) => `\\${char}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n')
}
