/** Counts and rates as the header and pane titles print them: 12,345 and 4.2/s. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US')
}

export function formatRate(perSecond: number): string {
  return `${perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1)}/s`
}
