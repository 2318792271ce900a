import { ExitCode, isRiskctlError } from '../errors.js'

export interface FailureReport {
  readonly exitCode: number
  readonly error: { readonly code: string; readonly message: string; readonly suggestions: readonly string[] }
}

interface OclifLikeError extends Error {
  code?: unknown
  oclif?: { exit?: number }
  suggestions?: unknown
}

/**
 * Every failure becomes one shape: a stable code, a message for a person, suggestions, and the
 * exit code scripts rely on. Unknown errors are bugs (exit 1) and keep their message only.
 */
export function describeFailure(error: unknown): FailureReport {
  if (isRiskctlError(error)) {
    return {
      exitCode: error.exitCode,
      error: { code: error.code, message: error.message, suggestions: error.suggestions },
    }
  }
  const candidate = error as OclifLikeError
  if (candidate instanceof Error && typeof candidate.oclif?.exit === 'number') {
    // oclif's own parse errors (unknown flag, missing argument) are bad input.
    return {
      exitCode: candidate.oclif.exit === 1 ? ExitCode.unexpected : ExitCode.badInput,
      error: {
        code: 'RISKCTL_USAGE',
        message: candidate.message,
        suggestions: Array.isArray(candidate.suggestions) ? candidate.suggestions.map(String) : ['See --help.'],
      },
    }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { exitCode: ExitCode.unexpected, error: { code: 'RISKCTL_UNEXPECTED', message, suggestions: [] } }
}
