import { OPERATOR_ACTIONS } from '../../topologies/topics.js'
import type { TrailCoverage } from '../domain/operator-voucher.js'
import type { Consumer, LogRecord } from '../log/port.js'
import type { LogReader } from './log-access.js'

/**
 * How long the aggregator waits for the trail before it judges a batch without what it has not read: a transaction
 * left open on operator_actions.v1 (a writer killed half-way) holds its readers until the broker aborts it, and the
 * KILLs in the same batch must not wait for that. A loosening command not vouched for by then is refused, saying why.
 */
export const TRAIL_READ_DEADLINE_MS = 2000

class DeadlinePassed extends Error {}

/**
 * Reads operator_actions.v1 for the aggregator, as far as a batch's commands need: one consumer, opened at a time the
 * first time it is needed and kept, so that each later batch reads only what was appended since (no consumer to open
 * per batch, which on Kafka costs a round of group coordination). The deadline bounds the whole of a catch-up, the
 * opening included; a read cut short keeps its place, and the next catch-up goes on from it. Whatever goes wrong is
 * returned as the coverage's problem, never thrown: a trail that cannot be read refuses what would loosen, and never
 * holds up a KILL.
 */
export class TrailReader {
  private consumer: Consumer | undefined
  private openedFromMs: number | undefined
  /** A catch-up still running past its deadline: the next one waits for it rather than read the consumer beside it. */
  private busy: Promise<void> | undefined
  /** Moves on at every close: a catch-up of an earlier generation keeps nothing it opens. */
  private generation = 0

  constructor(
    private readonly reader: LogReader,
    private readonly deadlineMs = TRAIL_READ_DEADLINE_MS,
  ) {}

  async catchUp(fromMs: number, onRecords: (records: readonly LogRecord[]) => void): Promise<TrailCoverage> {
    const deadline = Date.now() + this.deadlineMs
    const run = (this.busy ?? Promise.resolve()).then(() => this.readOn(fromMs, onRecords, deadline))
    const tracked: Promise<void> = run.then(
      () => this.settle(tracked),
      () => this.settle(tracked),
    )
    this.busy = tracked
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()))
        }),
      ])
      return { fromMs: this.openedFromMs }
    } catch (error) {
      const problem =
        error instanceof DeadlinePassed ? `${OPERATOR_ACTIONS} was not read to its end within ${this.deadlineMs} ms` : error instanceof Error ? error.message : String(error)
      return { fromMs, problem }
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Closes the consumer now, without waiting for a catch-up still running past its deadline (a consumer that never
   * finishes opening must not hold its caller): that one closes whatever it opens once it sees it is no longer wanted.
   */
  async close(): Promise<void> {
    this.generation += 1
    this.busy = undefined
    await this.drop()
  }

  private settle(tracked: Promise<void>): void {
    if (this.busy === tracked) this.busy = undefined
  }

  private async readOn(fromMs: number, onRecords: (records: readonly LogRecord[]) => void, deadline: number): Promise<void> {
    const generation = this.generation
    try {
      if (this.consumer === undefined || this.openedFromMs === undefined || fromMs < this.openedFromMs) {
        await this.drop()
        const opened = await this.reader.consumer({ topics: [OPERATOR_ACTIONS], from: { type: 'timestamp', timestamp: fromMs } })
        if (generation !== this.generation) {
          await opened.close().catch(() => undefined)
          throw new Error(`${OPERATOR_ACTIONS} reader closed while it opened`)
        }
        this.consumer = opened
        this.openedFromMs = fromMs
      }
      const consumer = this.consumer
      const ends = await consumer.endOffsets()
      const behind = (): boolean => {
        const at = new Map(consumer.positions().map((p) => [p.partition, p.offset]))
        return ends.some((end) => end.offset > 0 && (at.get(end.partition) ?? 0) < end.offset)
      }
      while (behind()) {
        if (Date.now() > deadline) throw new DeadlinePassed()
        const batch = await consumer.poll({ maxRecords: 5000, maxWaitMs: 50 })
        if (batch.length > 0) onRecords(batch)
      }
    } catch (error) {
      // Cut short, it keeps its place; failed, it is opened afresh next time.
      if (!(error instanceof DeadlinePassed)) await this.drop()
      throw error
    }
  }

  private async drop(): Promise<void> {
    const consumer = this.consumer
    this.consumer = undefined
    this.openedFromMs = undefined
    await consumer?.close().catch(() => undefined)
  }
}
