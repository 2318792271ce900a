import type { ControlEpisode } from '../domain/kill-activity.js'

/**
 * What the report's forms share: the figures as words. The report's data type lives with its service; the forms take
 * the few fields they print, so that they stay pure.
 */
export function iso(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString()
}

export function span(ms: number | undefined): string {
  if (ms === undefined) return ''
  const abs = Math.abs(ms)
  const text =
    abs < 1000
      ? `${Math.round(abs)} ms`
      : abs < 120_000
        ? `${(abs / 1000).toFixed(1)} s`
        : abs < 7_200_000
          ? `${(abs / 60_000).toFixed(1)} min`
          : `${(abs / 3_600_000).toFixed(1)} h`
  return ms < 0 ? `-${text}` : text
}

export function money(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })
}

/** How long a kill held: until what ended it, or that it still held at the period's end. */
export function heldFor(episode: ControlEpisode): string {
  return episode.duration_ms === undefined ? 'still in force at the end' : span(episode.duration_ms)
}

export const EPISODE_COLUMNS = [
  'applied',
  'action',
  'scope',
  'by',
  'reason',
  'held for',
  'ended by',
  'orders dropped',
  'notional stopped',
  'time to block',
] as const

export function episodeCells(episode: ControlEpisode): string[] {
  return [
    episode.before_period ? `${iso(episode.ts)} (before the period)` : iso(episode.ts),
    episode.action,
    episode.scope,
    episode.who ?? '(command not on the log)',
    episode.reason ?? '',
    heldFor(episode),
    episode.ended_by ?? '',
    String(episode.orders_dropped),
    money(episode.notional_stopped),
    episode.time_to_block_ms !== undefined
      ? span(episode.time_to_block_ms)
      : episode.before_period
        ? 'before the period'
        : 'no order came',
  ]
}
