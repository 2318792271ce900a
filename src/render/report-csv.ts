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
 * One row per control applied in the period, after a row for each kill or throttle still in force at its start; a
 * kill's or throttle's row carries what followed it. Text that a spreadsheet would run as a formula is quoted with a
 * leading apostrophe: reasons come from people.
 */
export function reportCsv(actions: readonly ControlAction[], episodes: readonly ControlEpisode[]): string {
  // Two commands may share a corr_id, even a millisecond: each episode goes to the first row of its own action.
  const key = (a: ControlAction) => `${a.corr_id}\u0000${a.scope}\u0000${a.action}\u0000${a.ts}`
  const waiting = new Map<string, ControlEpisode[]>()
  for (const episode of episodes)
    if (!episode.before_period) waiting.set(key(episode), [...(waiting.get(key(episode)) ?? []), episode])
  const carried = episodes
    .filter((episode) => episode.before_period)
    .map((episode) => ({ action: episode as ControlAction, e: episode as ControlEpisode | undefined }))
  const applied = actions.map((action) => ({ action, e: waiting.get(key(action))?.shift() }))
  const rows = [...carried, ...applied].map(({ action, e }) => {
    return [
      e?.before_period === true ? `${iso(action.ts)} (before the period)` : iso(action.ts),
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
