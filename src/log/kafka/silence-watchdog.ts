import type { LogError } from '../errors.js'
import type { ConsumerStatus } from './consumer-status.js'
import { unreachable } from './kafka-errors.js'

/**
 * With no fetch answer, heartbeat or group event for this long the broker is taken for gone: poll
 * fails with RISKCTL_BROKER_UNREACHABLE, so a processor says "reconnecting" and starts over instead
 * of waiting silently on kafkajs's retries. Longer than the session timeout, when the group has
 * given the member up anyway.
 */
const SILENCE_MS = 12_000

/** Notices a consumer that hears nothing from the broker, which kafkajs itself never reports. */
export class SilenceWatchdog {
  private lastSignOfLife = Date.now()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly brokers: readonly string[],
    private readonly status: ConsumerStatus,
    private readonly onSilence: (error: LogError) => void,
  ) {}

  alive(): void {
    this.lastSignOfLife = Date.now()
  }

  start(): void {
    this.alive()
    this.timer = setInterval(() => {
      if (this.status.closed || this.status.failure || Date.now() - this.lastSignOfLife < SILENCE_MS) return
      this.onSilence(unreachable(this.brokers, `no answer for ${SILENCE_MS / 1000} s`))
    }, 1000)
    // A consumer left open must not keep the process alive for its watchdog alone.
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
