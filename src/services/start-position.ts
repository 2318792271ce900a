import { badInput } from '../errors.js'
import type { StartPosition } from '../log/port.js'

const FORMS = [
  'beginning',
  'end',
  'an ISO time such as 2026-11-25T09:30:00Z',
  'epoch milliseconds such as 1764063000000',
]

/** Parses `--from`: beginning | end | ISO time | epoch ms. */
export function parseStartPosition(text: string): StartPosition {
  const value = text.trim()
  if (value === 'beginning' || value === 'earliest') return { type: 'earliest' }
  if (value === 'end' || value === 'latest') return { type: 'latest' }
  if (/^\d+$/.test(value)) return { type: 'timestamp', timestamp: Number(value) }
  // Only strings that look like a date: Date.parse alone accepts odd inputs such as "1".
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const timestamp = Date.parse(value)
    if (!Number.isNaN(timestamp)) return { type: 'timestamp', timestamp }
  }
  throw badInput('RISKCTL_POSITION_INVALID', `--from "${text}" is not a position.`, [
    `Use ${FORMS.join(', ')}.`,
  ])
}
