import { badInput } from '../errors.js'

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
