/** One measured figure. Metric names are stable so runs can be compared over time. */
export interface BenchResult {
  readonly metric: string
  readonly value: number
  readonly unit: string
  readonly conditions: Readonly<Record<string, string | number | boolean>>
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]!
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
