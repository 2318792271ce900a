import type { LambdaClient } from '@aws-sdk/client-lambda'
import { badInput, ExitCode, RiskctlError } from '../errors.js'
import { awsFailure } from './aws-failure.js'
import { invokeGenerator } from './invoke-generator.js'
import type { GeneratorPayload } from './generator-payload.js'

/**
 * The generator function's timeout is Lambda's maximum, 15 minutes; its handler stops 5 s before
 * it, and connecting to MSK takes some of what is left.
 */
export const LAMBDA_MAX_DURATION_SECONDS = 880

export interface LambdaGenerateRequest {
  readonly mode: 'normal' | 'panic'
  readonly ratePerSecond: number
  readonly durationSeconds: number
  readonly account?: string | undefined
  readonly seed?: number | undefined
  /** The function's payload has no field for these: they are refused rather than dropped. */
  readonly symbol?: string | undefined
  readonly strategy?: string | undefined
  readonly accounts?: number | undefined
  readonly symbols?: number | undefined
}

/**
 * The seed's payload for a request, every value explicit so that the same flags ask for the same
 * flow here and on AWS (the function's own defaults differ from `riskctl generate`'s).
 */
export function generatorPayload(request: LambdaGenerateRequest): GeneratorPayload {
  const localOnly = [
    ...(request.symbol === undefined ? [] : ['--symbol']),
    ...(request.strategy === undefined ? [] : ['--strategy']),
    ...(request.accounts === undefined ? [] : ['--accounts']),
    ...(request.symbols === undefined ? [] : ['--symbols']),
  ]
  if (localOnly.length > 0) {
    throw badInput(
      'RISKCTL_FLAG_LOCAL_ONLY',
      `${localOnly.join(' and ')} ${localOnly.length === 1 ? 'works' : 'work'} only with --target local: the generator function takes mode, account, rate, duration and seed.`,
      [
        'Leave it out, or run the generator here against the deployment: riskctl generate --target local --profile NAME ...',
      ],
    )
  }
  if (request.durationSeconds > LAMBDA_MAX_DURATION_SECONDS) {
    throw badInput(
      'RISKCTL_DURATION_TOO_LONG',
      `--duration ${request.durationSeconds} is longer than the generator function can run (${LAMBDA_MAX_DURATION_SECONDS} s within Lambda's 15 minutes).`,
      [`Use --duration ${LAMBDA_MAX_DURATION_SECONDS} or less, and invoke it again for more.`],
    )
  }
  return {
    mode: request.mode,
    ...(request.account === undefined ? {} : { account_id: request.account }),
    duration_seconds: request.durationSeconds,
    rate_per_second: request.ratePerSecond,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  }
}

export interface LambdaGenerateTarget {
  readonly functionName: string
  readonly region: string
  /** The riskctl profile the function was found in, for the remedies. */
  readonly profileName: string
  readonly awsProfile?: string | undefined
}

export interface LambdaGenerateResult {
  readonly target: 'aws'
  readonly functionName: string
  readonly region: string
  readonly payload: GeneratorPayload
  /** 202: Lambda queued the run; it goes on without riskctl. */
  readonly statusCode: number
}

/** Asks the deployment's generator function for a run and returns once Lambda has queued it. */
export async function generateOnLambda(
  target: LambdaGenerateTarget,
  request: LambdaGenerateRequest,
  client?: Pick<LambdaClient, 'send'>,
): Promise<LambdaGenerateResult> {
  const payload = generatorPayload(request)
  let response: { readonly statusCode: number }
  try {
    response = await invokeGenerator(target, payload, client)
  } catch (error) {
    throw awsFailure(error, {
      action: `invoke ${target.functionName}`,
      region: target.region,
      notFound: {
        message: `There is no function ${target.functionName} in ${target.region}: the deployment is gone or was changed.`,
        suggestions: [
          `riskctl doctor --profile ${target.profileName} checks the deployment; riskctl deploy --profile ${target.profileName} restores it.`,
        ],
      },
    })
  }
  const { statusCode } = response
  if (statusCode !== 202) {
    throw new RiskctlError(`Lambda answered HTTP ${statusCode} instead of queueing the run.`, {
      code: 'RISKCTL_AWS_UNAVAILABLE',
      exitCode: ExitCode.unavailable,
      retriable: true,
      suggestions: ['Run it again; the function logs in CloudWatch say more.'],
    })
  }
  return { target: 'aws', functionName: target.functionName, region: target.region, payload, statusCode }
}

/** One line of what was asked for, the same words as the payload's fields. */
export function describeLambdaRequest(payload: GeneratorPayload): string {
  return [
    `${payload.mode ?? 'normal'} orders`,
    `${payload.rate_per_second}/s for ${payload.duration_seconds} s`,
    ...(payload.account_id === undefined ? [] : [`account ${payload.account_id}`]),
    ...(payload.seed === undefined ? [] : [`seed ${payload.seed}`]),
  ].join(', ')
}
