import { ExitCode, RiskctlError } from '../errors.js'

export type LogErrorCode =
  | 'RISKCTL_TOPIC_NOT_FOUND'
  | 'RISKCTL_PARTITION_INVALID'
  | 'RISKCTL_RECORD_INVALID'
  | 'RISKCTL_DATA_DIR_INVALID'
  | 'RISKCTL_DATA_DIR_UNWRITABLE'
  | 'RISKCTL_GROUP_BUSY'
  | 'RISKCTL_LOG_CLOSED'
  | 'RISKCTL_LOG_BUSY'
  | 'RISKCTL_BROKER_UNREACHABLE'
  | 'RISKCTL_LOG_FAILURE'
  | 'RISKCTL_DISK_FULL'
  | 'RISKCTL_KAFKA_AUTH_FAILED'
  | 'RISKCTL_NOT_AUTHORISED'

const EXIT_CODES: Record<LogErrorCode, (typeof ExitCode)[keyof typeof ExitCode]> = {
  RISKCTL_TOPIC_NOT_FOUND: ExitCode.precondition,
  RISKCTL_PARTITION_INVALID: ExitCode.badInput,
  RISKCTL_RECORD_INVALID: ExitCode.badInput,
  RISKCTL_DATA_DIR_INVALID: ExitCode.badInput,
  RISKCTL_DATA_DIR_UNWRITABLE: ExitCode.badInput,
  RISKCTL_GROUP_BUSY: ExitCode.precondition,
  RISKCTL_LOG_CLOSED: ExitCode.unexpected,
  RISKCTL_LOG_BUSY: ExitCode.unavailable,
  RISKCTL_BROKER_UNREACHABLE: ExitCode.unavailable,
  RISKCTL_LOG_FAILURE: ExitCode.unexpected,
  // Nothing riskctl can retry its way out of, but a condition of the machine, not a bug.
  RISKCTL_DISK_FULL: ExitCode.precondition,
  // The broker would not let this user in (wrong credentials), or not do this (its ACLs): retrying changes neither.
  RISKCTL_KAFKA_AUTH_FAILED: ExitCode.unauthorised,
  RISKCTL_NOT_AUTHORISED: ExitCode.unauthorised,
}

/**
 * The only error that crosses the event-log port. Each adapter translates its native errors
 * (SQLite's, kafkajs's) into this, so nothing above the port depends on an adapter.
 */
export class LogError extends RiskctlError {
  declare readonly code: LogErrorCode

  constructor(
    code: LogErrorCode,
    message: string,
    options: { retriable?: boolean; suggestions?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, { code, exitCode: EXIT_CODES[code], ...options })
    this.name = 'LogError'
  }
}

export function isLogError(error: unknown): error is LogError {
  return error instanceof LogError
}
