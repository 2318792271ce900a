import type { ChalkInstance } from 'chalk'
import { describeLambdaRequest, type LambdaGenerateResult } from '../cloud/generate-on-lambda.js'
import type { GeneratorMode } from '../generator/order-factory.js'
import type { GenerateProgress, GenerateSummary } from '../services/generate.js'

/** The progress line of a local run, every second. */
export function renderGenerateProgress(mode: GeneratorMode, progress: GenerateProgress, style: ChalkInstance): string {
  return `${style.cyan(mode)} ${progress.sent}/${progress.total} orders · ${(progress.elapsedMs / 1000).toFixed(0)} s`
}

/** What was asked of the deployment's generator function, and how to watch it. */
export function renderLambdaGenerate(result: LambdaGenerateResult, profileName: string, style: ChalkInstance): string {
  return [
    `Asked ${result.functionName} (${result.region}) for ${describeLambdaRequest(result.payload)}.`,
    `${style.green(`queued (HTTP ${result.statusCode})`)}: it runs on AWS for the next ${result.payload.duration_seconds} s. ` +
      `Watch it: riskctl tail orders.v1 --profile ${profileName}`,
  ].join('\n')
}

const SYMBOLS_SHOWN = 12

export function renderGenerateSummary(summary: GenerateSummary, style: ChalkInstance): string {
  const counts = Object.entries(summary.bySymbol).sort(([, a], [, b]) => b - a)
  // A line, not a page: past a dozen symbols the rest are counted (--json has them all).
  const shown = counts.slice(0, SYMBOLS_SHOWN).map(([symbol, count]) => `${symbol} ${count}`)
  const symbols = counts.length > SYMBOLS_SHOWN ? `${shown.join(', ')} and ${counts.length - SYMBOLS_SHOWN} more` : shown.join(', ')
  return [
    `${style.bold(`${summary.orders} orders`)} (${summary.mode}) to orders.v1 in ${(summary.durationMs / 1000).toFixed(1)} s ` +
      `· ${summary.achievedRatePerSecond}/s · ${summary.accounts} account${summary.accounts === 1 ? '' : 's'} ` +
      `· notional $${summary.notional.toLocaleString('en-US')}`,
    `by symbol: ${symbols || 'none'}`,
    `seed ${summary.seed}${summary.interrupted ? style.yellow(` · stopped early: ${summary.orders} of ${summary.planned} sent`) : ''}`,
  ].join('\n')
}
