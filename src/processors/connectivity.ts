import { isRiskctlError } from '../errors.js'

/** What a processor's status says about its log: working, or waiting for it to come back. */
export interface Connectivity {
  state: 'connecting' | 'connected' | 'reconnecting'
  /** Why the last attempt ended, while reconnecting. */
  lastError: string | undefined
  reconnects: number
}

export function newConnectivity(): Connectivity {
  return { state: 'connecting', lastError: undefined, reconnects: 0 }
}

/**
 * Failures a processor outlives by starting over from the group's commit: the broker is down or
 * busy, the group rebalanced mid-write, the log file is locked. Anything else (a bad topic, a
 * second instance holding the embedded group) is a fault to report, not to retry forever.
 */
export function isTransient(error: unknown): boolean {
  if (!isRiskctlError(error)) return false
  return error.retriable || error.code === 'RISKCTL_BROKER_UNREACHABLE' || error.code === 'RISKCTL_LOG_BUSY'
}
