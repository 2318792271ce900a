import type { ChalkInstance } from 'chalk'
import { colorWord, headlineOf } from './render-record.js'
import type { TailRecord } from '../services/tail.js'

/** A record in a few words: when, what it means (its headline) and the fields that say about whom. */
export interface CompactParts {
  readonly time: string
  readonly headline: string | undefined
  readonly detail: string
}

type Describe = (value: unknown) => string | undefined

const text: Describe = (value) => (typeof value === 'string' && value !== '' ? value : undefined)
const number =
  (format: (n: number) => string): Describe =>
  (value) =>
    typeof value === 'number' ? format(value) : undefined

/**
 * The fields worth a glance, in reading order, across every riskctl topic: an order reads
 * "12345 BUY 100 AAPL @189.5", a state "ACCOUNT:12345 Order rate breach by detector".
 */
const SUMMARY_FIELDS: readonly (readonly [string, Describe])[] = [
  ['scope', text],
  ['account_id', text],
  ['side', text],
  ['qty', number(String)],
  ['symbol', text],
  ['price', number((price) => `@${price}`)],
  ['order_count', number((count) => `n=${count}`)],
  ['total_notional', number((notional) => `$${shortNumber(notional)}`)],
  ['percent', number((percent) => `${percent}% of credit`)],
  ['used_notional', number((used) => `$${shortNumber(used)}`)],
  ['credit_limit', number((limit) => `of $${shortNumber(limit)}`)],
  ['top_symbol', text],
  ['source_topic', text],
  ['reason', text],
  ['error', text],
]

export function compactParts(record: TailRecord): CompactParts {
  const time = new Date(record.timestamp).toISOString().slice(11, 19)
  return { time, headline: headlineOf(record.value), detail: summarize(record.value) }
}

/** The compact line without styling, cut to `width` when one is given. */
export function compactText(record: TailRecord, width?: number): string {
  return styleCompactLine(record, width, undefined)
}

/**
 * The compact line, its headline coloured as `tail` colours it. Cutting happens on the plain text
 * before styling, so the width is exact and no escape sequence is ever cut in half.
 */
export function styleCompactLine(
  record: TailRecord,
  width: number | undefined,
  style: ChalkInstance | undefined,
): string {
  const parts = compactParts(record)
  const segments: [string, (s: string) => string][] = [[parts.time, (s) => style?.dim(s) ?? s]]
  if (parts.headline !== undefined)
    segments.push([` ${parts.headline}`, (s) => (style ? ` ${colorWord(s.slice(1), style)}` : s)])
  if (parts.detail !== '') segments.push([` ${parts.detail}`, (s) => s])
  const total = segments.reduce((sum, [segment]) => sum + segment.length, 0)
  if (width === undefined || total <= width)
    return segments.map(([segment, paint]) => paint(segment)).join('')
  let room = Math.max(0, width - 1)
  let out = ''
  for (const [segment, paint] of segments) {
    if (room <= 0) break
    // A cut headline is no longer a word colorWord knows, so it stays plain.
    out += segment.length <= room ? paint(segment) : segment.slice(0, room)
    room -= segment.length
  }
  return width > 0 ? `${out}…` : ''
}

function summarize(value: unknown): string {
  if (value === null) return '∅ tombstone'
  if (typeof value !== 'object') return String(value)
  const fields = value as Record<string, unknown>
  const words = SUMMARY_FIELDS.flatMap(([name, describe]) => describe(fields[name]) ?? [])
  const by = text(fields.operator) ?? text(fields.updated_by) ?? text(fields.triggered_by)
  if (by !== undefined) words.push(`by ${by}`)
  return words.length > 0 ? words.join(' ') : JSON.stringify(value)
}

function shortNumber(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)}B`
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`
  return value.toFixed(0)
}
