import { badInput } from './errors.js'

const MAX_DATE_MS = 8.64e15
const SPAN = /^(\d+)\s*(ms|s|m|h|d)$/
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** A span of time as a person writes it (250ms, 30s, 10m, 2h, 1d), in milliseconds; undefined if it is not one. */
export function spanMs(text: string): number | undefined {
  const match = SPAN.exec(text.trim())
  return match === null ? undefined : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
}

/** Like spanMs, but a typed error that says what is valid. */
export function parseSpan(text: string, what: string): number {
  const ms = spanMs(text)
  if (ms === undefined || ms <= 0) {
    throw badInput('RISKCTL_SPAN_INVALID', `"${text}" is not a span of time for ${what}.`, [
      'Use a positive number with a unit: 250ms, 30s, 10m, 2h, 1d.',
    ])
  }
  return ms
}

/** ISO time, epoch ms, or a span back from now: 30s, 10m, 2h, 1d. */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim()
  const back = spanMs(trimmed)
  // Only strings that look like a date: Date.parse alone accepts odd inputs such as "1".
  const parsed =
    back !== undefined
      ? now - back
      : /^\d+$/.test(trimmed)
        ? Number(trimmed)
        : /^\d{4}-\d{2}-\d{2}/.test(trimmed) && isCalendarDate(trimmed.slice(0, 10))
          ? Date.parse(trimmed)
          : Number.NaN
  // The times a JavaScript Date can hold: past them no time can be printed or compared.
  if (!Number.isNaN(parsed) && Math.abs(parsed) <= MAX_DATE_MS) return parsed
  throw badInput('RISKCTL_TIME_INVALID', `"${text}" is not a time.`, [
    'Use an ISO time (2026-11-25T09:30:00Z), epoch milliseconds, or a span back from now: 30s, 10m, 2h, 1d.',
  ])
}

/** Whether YYYY-MM-DD names a day that exists: Date.parse would take 2026-02-30 for 2 March. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number]
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** A period as a person gives it (from, and to or now), checked to end no earlier than it starts. */
export function parsePeriod(
  from: string,
  to: string | undefined,
  now: number,
): { fromMs: number; toMs: number } {
  const period = { fromMs: parseSince(from, now), toMs: to === undefined ? now : parseSince(to, now) }
  assertPeriod(period.fromMs, period.toMs)
  return period
}

export function assertPeriod(fromMs: number, toMs: number): void {
  if (toMs < fromMs) {
    throw badInput(
      'RISKCTL_TIME_INVALID',
      `The period ends (${new Date(toMs).toISOString()}) before it starts (${new Date(fromMs).toISOString()}).`,
      ['Give --to a time after --from, or leave it out for now.'],
    )
  }
}
