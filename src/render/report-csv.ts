import type { ControlAction, ControlEpisode } from '../domain/kill-activity.js'
import { printable } from './printable.js'
import { iso } from './report-text.js'

const COLUMNS = [
  'applied',
  'action',
  'scope',
  'by',
  'reason',
  'corr_id',
  'cmd_id',
  'sent',
  'ended',
  'ended_by',
  'held_ms',
  'orders_dropped',
  'notional_stopped',
  'first_drop',
  'time_to_block_ms',
] as const

/**
 * One row per control applied in the period; a kill's or throttle's row carries what followed it. Text that a
 * spreadsheet would run as a formula is quoted with a leading apostrophe: reasons come from people.
 */
export function reportCsv(actions: readonly ControlAction[], episodes: readonly ControlEpisode[]): string {
  const byCorr = new Map(episodes.map((episode) => [`${episode.corr_id} ${episode.ts}`, episode]))
  const rows = actions.map((action) => {
    const e = byCorr.get(`${action.corr_id} ${action.ts}`)
    return [
      iso(action.ts),
      action.action,
      action.scope,
      action.who ?? '',
      action.reason ?? '',
      action.corr_id,
      action.cmd_id ?? '',
      iso(action.sent_ts),
      iso(e?.ended_ts),
      e?.ended_by ?? '',
      e?.duration_ms === undefined ? '' : String(e.duration_ms),
      e === undefined ? '' : String(e.orders_dropped),
      e === undefined ? '' : String(e.notional_stopped),
      iso(e?.first_drop_ts),
      e?.time_to_block_ms === undefined ? '' : String(e.time_to_block_ms),
    ]
  })
  return [[...COLUMNS], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

function csvCell(raw: string): string {
  // No control character reaches a terminal the CSV is printed on (line breaks are quoted, and kept).
  const text = printable(raw.replace(/\r\n|\r|\n/g, '\n')).replace(/\\u000a/g, '\n')
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
