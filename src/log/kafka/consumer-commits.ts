import type { Consumer as KafkaJsConsumer } from 'kafkajs'
import { LogError } from '../errors.js'
import type { TopicPartitionOffset } from '../port.js'
import type { CommitLedger } from './commit-ledger.js'
import { assertOpen, type ConsumerStatus } from './consumer-status.js'
import { translateKafkaError, type ErrorContext } from './kafka-errors.js'
import type { PartitionStates } from './partition-states.js'

export interface CommitsDeps {
  readonly kafkaConsumer: KafkaJsConsumer
  readonly context: ErrorContext
  readonly groupId: string | undefined
  readonly states: PartitionStates
  readonly ledger: CommitLedger
  readonly status: ConsumerStatus
  /** Back to the last commit for every assigned partition. */
  readonly rewind: () => void
}

/** A consumer's commits of its positions: plain, or as part of a transaction that writes too. */
export class ConsumerCommits {
  private current: Promise<void> | undefined

  constructor(private readonly deps: CommitsDeps) {}

  /** The transactional commit under way, if any; it settles (never rejects) once that is decided. */
  get inProgress(): Promise<void> | undefined {
    return this.current
  }

  async commit(positions?: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.deps.groupId === undefined) {
      throw new LogError('RISKCTL_LOG_FAILURE', 'Only a consumer with a groupId can commit positions.')
    }
    // kafkajs ignores a commit from a stopped consumer; saying nothing would lose it silently.
    assertOpen(this.deps.status, 'This consumer is closed; its positions were not committed.')
    const offsets = positions ?? this.deps.states.positions()
    if (offsets.length === 0) return
    try {
      await this.deps.kafkaConsumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      )
    } catch (error) {
      throw translateKafkaError(error, this.deps.context)
    }
    this.deps.ledger.committed(offsets)
  }

  /**
   * Runs a transaction that commits this consumer's positions. `work` calls the check it is given
   * right before the transaction commits: after a rebalance began, or once the records were polled
   * in an earlier generation, the commit is refused (their partitions may already be another
   * member's). On any failure the consumer goes back to the last commit, so the records of the
   * failed write are polled again and nothing is skipped.
   */
  async transactionally<T>(
    offsets: readonly TopicPartitionOffset[],
    work: (check: () => void) => Promise<T>,
  ): Promise<T> {
    let finished = (): void => undefined
    const previous = this.current
    this.current = new Promise<void>((resolve) => {
      finished = resolve
    })
    try {
      await previous
      this.check(offsets)
      const result = await work(() => this.check(offsets))
      this.deps.ledger.committed(offsets)
      return result
    } catch (error) {
      this.deps.rewind()
      throw error
    } finally {
      finished()
    }
  }

  private check(offsets: readonly TopicPartitionOffset[]): void {
    assertOpen(this.deps.status, 'This consumer is closed; nothing was committed.')
    if (!this.deps.ledger.mayCommit(offsets)) {
      throw new LogError(
        'RISKCTL_LOG_FAILURE',
        'The consumer group rebalanced while these records were being processed; nothing was written, and they will be read again.',
        { retriable: true },
      )
    }
  }
}
