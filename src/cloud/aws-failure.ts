import { ExitCode, RiskctlError } from '../errors.js'

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'IncompleteSignatureException',
])
const DENIED = new Set(['AccessDenied', 'AccessDeniedException'])
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE'])

export interface AwsFailureContext {
  /** What was being done, for "… failed": "invoke riskctl-generator". */
  readonly action: string
  readonly region: string
  /** What a missing resource means here, since only the caller knows what it expected to find. */
  readonly notFound: { readonly message: string; readonly suggestions: readonly string[] }
}

/**
 * Turns what the AWS SDK throws into one RiskctlError a person can act on: no stack, and no
 * access key id even where AWS quotes one back. Anything that is not from AWS or the network is
 * returned as it is: it is a bug, and exit 1 with --debug is how riskctl shows those.
 */
export function awsFailure(error: unknown, context: AwsFailureContext): unknown {
  if (!(error instanceof Error) || !isFromAws(error)) return error
  const detail = clean(error.message)
  if (CREDENTIALS.has(error.name)) {
    return new RiskctlError(
      `No usable AWS credentials to ${context.action} in ${context.region}: ${detail}`,
      {
        code: 'RISKCTL_AWS_CREDENTIALS',
        exitCode: ExitCode.unauthorised,
        suggestions: [
          'aws sts get-caller-identity shows the credentials riskctl would use (the same chain: AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, an instance role).',
          'Run aws sso login, or export AWS_PROFILE=<a profile of ~/.aws/config>, then run again.',
        ],
      },
    )
  }
  if (DENIED.has(error.name)) {
    return new RiskctlError(`AWS refused to ${context.action}: ${detail}`, {
      code: 'RISKCTL_AWS_DENIED',
      exitCode: ExitCode.unauthorised,
      suggestions: ['Use credentials that may do this, such as the ones riskctl deploy ran with.'],
    })
  }
  if (error.name === 'ResourceNotFoundException') {
    return new RiskctlError(context.notFound.message, {
      code: 'RISKCTL_AWS_NOT_FOUND',
      exitCode: ExitCode.precondition,
      suggestions: context.notFound.suggestions,
    })
  }
  return new RiskctlError(`Could not ${context.action} in ${context.region}: ${detail}`, {
    code: 'RISKCTL_AWS_UNAVAILABLE',
    exitCode: ExitCode.unavailable,
    retriable: true,
    suggestions: ['Check the network (and https://health.aws.amazon.com), then run again.'],
  })
}

function isFromAws(error: Error): boolean {
  const candidate = error as Error & { $metadata?: unknown; code?: unknown }
  return (
    candidate.$metadata !== undefined ||
    CREDENTIALS.has(error.name) ||
    error.name === 'TimeoutError' ||
    (typeof candidate.code === 'string' && NETWORK.has(candidate.code))
  )
}

/** The first line only, with any access key id cut short. */
function clean(message: string): string {
  const line = message.split('\n')[0]?.trim() || 'no detail given'
  return line.replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '$1…').slice(0, 300)
}
