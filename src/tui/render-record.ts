import type { ChalkInstance } from 'chalk'
import type { TailRecord } from '../services/tail.js'

type Tone = 'bad' | 'good' | 'warn'

const TONES: Readonly<Record<string, Tone>> = {
  DROP: 'bad',
  KILLED: 'bad',
  KILL: 'bad',
  REFUSED: 'bad',
  ALLOW: 'good',
  APPLIED: 'good',
  ACTIVE: 'good',
  UNKILL: 'good',
  THROTTLED: 'warn',
  THROTTLE: 'warn',
  DUPLICATE: 'warn',
  CREDIT_WARNING: 'warn',
}

/** The word that says at a glance what a record means, if it has one (decision, status, action or signal). */
export function headlineOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  for (const field of ['decision', 'status', 'action', 'signal']) {
    const word = record[field]
    if (typeof word === 'string') return word
  }
  return undefined
}

export function colorWord(word: string, style: ChalkInstance): string {
  switch (TONES[word]) {
    case 'bad':
      return style.red.bold(word)
    case 'good':
      return style.green(word)
    case 'warn':
      return style.yellow(word)
    default:
      return word
  }
}

/** One line per record: time, where it sits in the log, its key, its headline and its value. */
export function renderRecordLine(record: TailRecord, style: ChalkInstance): string {
  const time = new Date(record.timestamp).toISOString().slice(11, 23)
  const place = style.dim(`${record.topic}[${record.partition}]@${record.offset}`)
  const headline = headlineOf(record.value)
  const value = typeof record.value === 'string' ? style.magenta(record.value) : JSON.stringify(record.value)
  return [style.dim(time), place, style.cyan(record.key ?? '∅'), headline ? colorWord(headline, style) : '', value]
    .filter((part) => part !== '')
    .join(' ')
}
