import type { ChalkInstance } from 'chalk'
import type { PipelineStatus } from '../services/pipeline.js'

/** The one-line status `riskctl up` prints every second. */
export function renderStatusLine(status: PipelineStatus, style: ChalkInstance): string {
  const kills =
    status.activeKills.length === 0
      ? style.green('no active kills')
      : style.red(
          `${status.activeKills.length} killed: ${status.activeKills.slice(0, 3).join(', ')}${status.activeKills.length > 3 ? ', …' : ''}`,
        )
  const health =
    status.reconnecting.length > 0
      ? style.yellow(`○ reconnecting (${status.reconnecting.join(', ')})`)
      : status.ready
        ? style.green('●')
        : style.yellow('○ loading state')
  return [
    health,
    ...(status.partitions === undefined || status.partitions.length === 0
      ? []
      : [`partitions ${status.partitions.join(',')}`]),
    `orders in ${status.ordersIn}`,
    `allowed ${style.green(String(status.allowed))}`,
    `dropped ${style.red(String(status.dropped))}`,
    `duplicates ${status.duplicates}`,
    `dead letters ${status.deadLetters}`,
    kills,
    ...(status.detectorBehind > 0 ? [style.yellow(`detector catching up: ${status.detectorBehind} orders`)] : []),
    // Failing closed is not enough: someone must see that a state record was unreadable.
    ...(status.stateProblems === 0
      ? []
      : [style.red(`⚠ ${status.stateProblems} bad state record(s), enforced failing closed: ${truncate(status.lastStateProblem ?? '', 120)}`)]),
    // Why, in a few words: the full message names the brokers and is long.
    ...(status.reconnectReason === undefined ? [] : [style.yellow(truncate(status.reconnectReason, 100))]),
  ].join(' · ')
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
