import type { ChalkInstance } from 'chalk'
import type { PipelineStatus } from '../services/pipeline.js'

/** The one-line status `riskctl up` prints every second. */
export function renderStatusLine(status: PipelineStatus, style: ChalkInstance): string {
  const kills =
    status.activeKills.length === 0
      ? style.green('no active kills')
      : style.red(`${status.activeKills.length} killed: ${status.activeKills.slice(0, 3).join(', ')}${status.activeKills.length > 3 ? ', …' : ''}`)
  return [
    status.ready ? style.green('●') : style.yellow('○ loading state'),
    `orders in ${status.ordersIn}`,
    `allowed ${style.green(String(status.allowed))}`,
    `dropped ${style.red(String(status.dropped))}`,
    `duplicates ${status.duplicates}`,
    `dead letters ${status.deadLetters}`,
    kills,
  ].join(' · ')
}
