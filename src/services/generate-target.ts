import { generateOnLambda, type LambdaGenerateResult } from '../cloud/generate-on-lambda.js'
import type { DeploymentSettings } from '../config/profile-settings.js'
import { badInput } from '../errors.js'
import type { GeneratorMode } from '../generator/order-factory.js'
import type { EventLog } from '../log/port.js'
import { generateOrders, type GenerateProgress, type GenerateSummary } from './generate.js'

/** The flows' defaults when the rate or duration is not given. */
export const GENERATE_DEFAULTS = {
  normal: { ratePerSecond: 5, durationSeconds: 600 },
  panic: { ratePerSecond: 50, durationSeconds: 120 },
} as const

export interface GenerateRequest {
  readonly target: 'local' | 'aws'
  readonly mode: GeneratorMode
  readonly ratePerSecond?: number | undefined
  readonly durationSeconds?: number | undefined
  /** Default: a random one, in the summary. */
  readonly seed?: number | undefined
  readonly account?: string | undefined
  readonly symbol?: string | undefined
  readonly strategy?: string | undefined
  /** normal: how many accounts and symbols the flow spreads over. */
  readonly accounts?: number | undefined
  readonly symbols?: number | undefined
}

export interface GenerateTargets {
  /** The log a local run produces to; not opened for AWS. */
  readonly openLog: () => Promise<EventLog>
  /** The deployment whose generator function an AWS run asks. */
  readonly deployment: DeploymentSettings | undefined
  /** Stops a local run early; it still returns its summary. */
  readonly signal: AbortSignal
  readonly onProgress: (progress: GenerateProgress) => void
}

export type GenerateResult = GenerateSummary | LambdaGenerateResult

export function isLambdaResult(result: GenerateResult): result is LambdaGenerateResult {
  return 'target' in result && result.target === 'aws'
}

/**
 * `riskctl generate`: the paced order flow, from here to the configured log, or from the
 * deployment's generator function. Not in generate.ts, which the generator function bundles: the
 * Lambda client is this side's only.
 */
export async function generateOnTarget(
  request: GenerateRequest,
  targets: GenerateTargets,
): Promise<GenerateResult> {
  const { mode } = request
  const ratePerSecond = request.ratePerSecond ?? GENERATE_DEFAULTS[mode].ratePerSecond
  const durationSeconds = request.durationSeconds ?? GENERATE_DEFAULTS[mode].durationSeconds
  if (mode === 'panic' && (request.accounts !== undefined || request.symbols !== undefined)) {
    throw badInput(
      'RISKCTL_FLAG_MODE',
      '--accounts and --symbols spread the normal flow; a panic is one account on a few symbols.',
      ['Leave them out with --mode panic, or use --mode normal.'],
    )
  }
  if (request.target === 'aws') {
    const deployment = targets.deployment
    if (deployment === undefined) {
      throw badInput(
        'RISKCTL_PROFILE_REQUIRED',
        '--target aws invokes the generator function of a deployment, and none is named.',
        ['Name it with --profile NAME (or RISKCTL_PROFILE), as riskctl deploy --profile NAME wrote it.'],
      )
    }
    return generateOnLambda(
      { functionName: deployment.generatorFunction, region: deployment.region, profileName: deployment.name },
      { ...request, ratePerSecond, durationSeconds },
    )
  }
  return generateOrders(await targets.openLog(), {
    mode,
    ratePerSecond,
    durationSeconds,
    seed: request.seed ?? Math.floor(Math.random() * 2 ** 31),
    account: request.account,
    symbol: request.symbol?.toUpperCase(),
    strategy: request.strategy,
    accounts: request.accounts,
    symbols: request.symbols,
    signal: targets.signal,
    onProgress: targets.onProgress,
  })
}
