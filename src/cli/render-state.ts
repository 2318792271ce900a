import type { ChalkInstance } from 'chalk'
import type { KillState } from '../domain/kill-status.js'
import { colorWord } from '../tui/render-record.js'
import { renderTable } from './table.js'
import { printable } from '../render/printable.js'

/** `riskctl state`: every scope that was ever killed or throttled, with who, when and why. */
export function renderKillStates(states: readonly KillState[], style: ChalkInstance): string {
  if (states.length === 0) return 'No scope has ever been killed or throttled: everything is ACTIVE.'
  return renderTable(
    ['scope', 'status', 'reason', 'by', 'updated', 'corr_id'],
    states.map((state) => [
      state.scope,
      colorWord(state.status, style) + (state.status === 'THROTTLED' ? ` ${state.max_orders_per_sec}/s` : ''),
      printable(state.reason),
      printable(state.updated_by),
      new Date(state.updated_ts).toISOString(),
      style.dim(state.corr_id),
    ]),
  )
}
