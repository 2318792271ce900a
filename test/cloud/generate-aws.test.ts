import { InvokeCommand, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda'
import { describe, expect, it } from 'vitest'
import { awsFailure } from '../../src/cloud/aws-failure.js'
import {
  describeLambdaRequest,
  generateOnLambda,
  generatorPayload,
  type LambdaGenerateRequest,
} from '../../src/cloud/generate-on-lambda.js'
import { ExitCode, isRiskctlError, type RiskctlError } from '../../src/errors.js'

const TARGET = { functionName: 'Riskctl-GeneratorFunction-abc', region: 'eu-west-1', profileName: 'class' }
const PANIC: LambdaGenerateRequest = {
  mode: 'panic',
  ratePerSecond: 50,
  durationSeconds: 60,
  account: '12345',
}

/** A Lambda client that records each command and answers as Lambda does to an Event invocation. */
function recordingClient(answer: () => unknown = () => ({ StatusCode: 202 })) {
  const sent: unknown[] = []
  return {
    sent,
    client: {
      send: async (command: unknown) => {
        sent.push(command)
        const result = answer()
        if (result instanceof Error) throw result
        return result
      },
    } as unknown as Parameters<typeof generateOnLambda>[2],
  }
}

async function failure(promise: Promise<unknown>): Promise<RiskctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isRiskctlError(error)) throw new Error(`expected a RiskctlError, got ${String(error)}`)
  return error
}

describe('riskctl generate --target aws', () => {
  it('sends exactly one asynchronous InvokeCommand with the seed payload to the profile function', async () => {
    const { client, sent } = recordingClient()
    const result = await generateOnLambda(TARGET, PANIC, client)
    expect(sent).toHaveLength(1)
    const command = sent[0] as InvokeCommand
    expect(command).toBeInstanceOf(InvokeCommand)
    const { Payload, ...rest } = command.input
    expect(rest).toEqual({ FunctionName: 'Riskctl-GeneratorFunction-abc', InvocationType: 'Event' })
    expect(Buffer.from(Payload as Uint8Array).toString('utf8')).toBe(
      '{"mode":"panic","account_id":"12345","duration_seconds":60,"rate_per_second":50}',
    )
    expect(result).toEqual({
      target: 'aws',
      functionName: 'Riskctl-GeneratorFunction-abc',
      region: 'eu-west-1',
      payload: { mode: 'panic', account_id: '12345', duration_seconds: 60, rate_per_second: 50 },
      statusCode: 202,
    })
    expect(describeLambdaRequest(result.payload)).toBe('panic orders, 50/s for 60 s, account 12345')
  })

  it('passes --seed through (the function honours it) and leaves out what was not asked for', () => {
    expect(generatorPayload({ mode: 'normal', ratePerSecond: 5, durationSeconds: 600, seed: 7 })).toEqual({
      mode: 'normal',
      duration_seconds: 600,
      rate_per_second: 5,
      seed: 7,
    })
  })

  it('refuses --symbol, --strategy and runs longer than Lambda allows, before calling AWS', async () => {
    const { client, sent } = recordingClient()
    const both = await failure(
      generateOnLambda(TARGET, { ...PANIC, symbol: 'TSLA', strategy: 'momentum' }, client),
    )
    expect(both.exitCode).toBe(ExitCode.badInput)
    expect(both.message).toMatch(/^--symbol and --strategy work only with --target local/)
    const long = await failure(generateOnLambda(TARGET, { ...PANIC, durationSeconds: 900 }, client))
    expect(long.code).toBe('RISKCTL_DURATION_TOO_LONG')
    expect(sent).toEqual([])
  })

  it('reads a credentials failure as one clear message, exit 4, without the key it names', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    })
    const error = await failure(generateOnLambda(TARGET, PANIC, recordingClient(() => noCredentials).client))
    expect(error).toMatchObject({ code: 'RISKCTL_AWS_CREDENTIALS', exitCode: ExitCode.unauthorised })
    expect(error.message).toBe(
      'No usable AWS credentials to invoke Riskctl-GeneratorFunction-abc in eu-west-1: Could not load credentials from any providers',
    )
    const quoted = Object.assign(
      new Error('The security token AKIAIOSFODNN7EXAMPLE is invalid.\n  at sign()'),
      {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      },
    )
    const redacted = awsFailure(quoted, {
      action: 'invoke f',
      region: 'r',
      notFound: { message: '', suggestions: [] },
    })
    expect((redacted as Error).message).toBe(
      'No usable AWS credentials to invoke f in r: The security token AKIA… is invalid.',
    )
  })

  it('exits 5 when the function is gone, 3 when Lambda or the network fails, and keeps bugs as they are', async () => {
    const gone = new ResourceNotFoundException({
      message: 'Function not found',
      $metadata: { httpStatusCode: 404 },
    })
    const missing = await failure(generateOnLambda(TARGET, PANIC, recordingClient(() => gone).client))
    expect(missing).toMatchObject({ code: 'RISKCTL_AWS_NOT_FOUND', exitCode: ExitCode.precondition })
    expect(missing.suggestions[0]).toContain('riskctl doctor --profile class')

    const throttled = new TooManyRequestsException({
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 429 },
    })
    const busy = await failure(generateOnLambda(TARGET, PANIC, recordingClient(() => throttled).client))
    expect(busy).toMatchObject({
      code: 'RISKCTL_AWS_UNAVAILABLE',
      exitCode: ExitCode.unavailable,
      retriable: true,
    })

    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const offline = await failure(generateOnLambda(TARGET, PANIC, recordingClient(() => refused).client))
    expect(offline.exitCode).toBe(ExitCode.unavailable)

    const odd = await failure(
      generateOnLambda(TARGET, PANIC, recordingClient(() => ({ StatusCode: 200 })).client),
    )
    expect(odd.exitCode).toBe(ExitCode.unavailable)

    const bug = new TypeError('x is not a function')
    await expect(generateOnLambda(TARGET, PANIC, recordingClient(() => bug).client)).rejects.toBe(bug)
  })
})
