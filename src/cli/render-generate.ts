import type { ChalkInstance } from 'chalk'
import type { GenerateSummary } from '../services/generate.js'

export function renderGenerateSummary(summary: GenerateSummary, style: ChalkInstance): string {
  const symbols = Object.entries(summary.bySymbol)
    .sort(([, a], [, b]) => b - a)
    .map(([symbol, count]) => `${symbol} ${count}`)
    .join(', ')
  return [
    `${style.bold(`${summary.orders} orders`)} (${summary.mode}) to orders.v1 in ${(summary.durationMs / 1000).toFixed(1)} s ` +
      `· ${summary.achievedRatePerSecond}/s · ${summary.accounts} account${summary.accounts === 1 ? '' : 's'} ` +
      `· notional $${summary.notional.toLocaleString('en-US')}`,
    `by symbol: ${symbols || 'none'}`,
    `seed ${summary.seed}${summary.interrupted ? style.yellow(` · stopped early: ${summary.orders} of ${summary.planned} sent`) : ''}`,
  ].join('\n')
}
