/** Exit codes are part of the CLI contract: scripts branch on them. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  unavailable: 3,
  unauthorised: 4,
  precondition: 5,
  interrupted: 130,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface RiskctlErrorOptions {
  code: string
  exitCode?: ExitCode
  suggestions?: readonly string[]
  retriable?: boolean
  cause?: unknown
}

/**
 * The one error type the CLI turns into output and an exit code. `code` is a stable string
 * (RISKCTL_*) that scripts and tests can match on; the message is for a person.
 */
export class RiskctlError extends Error {
  readonly code: string
  readonly exitCode: ExitCode
  readonly suggestions: readonly string[]
  readonly retriable: boolean

  constructor(message: string, options: RiskctlErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RiskctlError'
    this.code = options.code
    this.exitCode = options.exitCode ?? ExitCode.unexpected
    this.suggestions = options.suggestions ?? []
    this.retriable = options.retriable ?? false
  }
}

export function isRiskctlError(error: unknown): error is RiskctlError {
  return error instanceof RiskctlError
}

export function badInput(code: string, message: string, suggestions: readonly string[] = []): RiskctlError {
  return new RiskctlError(message, { code, exitCode: ExitCode.badInput, suggestions })
}

/** Ctrl+C during a long-running command: not a failure, but scripts must be able to tell. */
export function interrupted(): RiskctlError {
  return new RiskctlError('Interrupted.', { code: 'RISKCTL_INTERRUPTED', exitCode: ExitCode.interrupted })
}

/** Something riskctl needs is not there or not answering: retrying later may work. */
export function unavailable(code: string, message: string, suggestions: readonly string[] = []): RiskctlError {
  return new RiskctlError(message, { code, exitCode: ExitCode.unavailable, suggestions, retriable: true })
}
