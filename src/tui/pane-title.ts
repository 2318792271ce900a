import { formatCount, formatRate } from './format-rate.js'

/**
 * A pane's title line: focus mark, topic, count and rate. When the pane is narrow the topic's
 * middle gives way, not the figures, which are what changes; stacked panes pad with a rule.
 */
export function paneTitle(
  topic: string,
  count: number,
  perSecond: number,
  focused: boolean,
  width: number,
  rule: boolean,
): string {
  const mark = focused ? '▶ ' : '  '
  const figures = ` ${formatCount(count)} · ${formatRate(perSecond)}`
  const room = width - mark.length - figures.length
  const name = topic.length <= room ? topic : elide(topic, room)
  const title = `${mark}${name}${figures}`
  if (title.length >= width) return title.slice(0, Math.max(0, width))
  return rule ? `${title} ${'─'.repeat(Math.max(0, width - title.length - 1))}` : title
}

function elide(text: string, room: number): string {
  if (room <= 1) return text.slice(0, Math.max(0, room))
  const head = Math.ceil((room - 1) / 2)
  const tail = room - 1 - head
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(-tail) : ''}`
}
