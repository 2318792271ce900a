import { LogError } from '../errors.js'

/**
 * Whether a consumer can still do anything. Only the consumer sets it; its commits and its
 * assignment handling read it, because either may be under way when it closes or fails.
 */
export interface ConsumerStatus {
  readonly closed: boolean
  readonly failure: LogError | undefined
}

/** Throws what stopped the consumer: its failure first, since that is what the caller must hear of. */
export function assertOpen(status: ConsumerStatus, whenClosed: string): void {
  if (status.failure) throw status.failure
  if (status.closed) throw new LogError('RISKCTL_LOG_CLOSED', whenClosed)
}
