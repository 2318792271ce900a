import type { Admin, Consumer as KafkaJsConsumer } from 'kafkajs'
import { abortableSleep } from '../../abortable-sleep.js'
import { LogError } from '../errors.js'
import type { StartPosition } from '../port.js'
import type { CommitLedger } from './commit-ledger.js'
import type { ConsumerCommits } from './consumer-commits.js'
import type { ConsumerStatus } from './consumer-status.js'
import { slotKey, type PartitionStates, type TopicPartitions } from './partition-states.js'
import { committedOffsets, startOffsets } from './start-positions.js'

/**
 * How long a partition that just moved here waits before reading the group's commit. The previous
 * owner may have a transaction whose offsets were sent just before it rejoined; kafkajs has no
 * KIP-447 (require_stable offset fetch, generation-checked TxnOffsetCommit), so without this pause
 * the new owner could start before that commit lands and decide its records a second time.
 */
const REASSIGNMENT_GRACE_MS = 1000

export interface SettleDeps {
  readonly kafkaConsumer: KafkaJsConsumer
  readonly admin: Admin
  readonly groupId: string | undefined
  readonly from: StartPosition
  readonly states: PartitionStates
  readonly commits: ConsumerCommits
  readonly ledger: CommitLedger
  readonly status: ConsumerStatus
  /** Every partition has its position and fetching has resumed. */
  readonly onSettled: () => void
}

/**
 * Gives every partition of `generation` that has no position yet the later of the group's commit
 * and this consumer's own, else `from`; then seeks kafkajs to each position and resumes the
 * paused partitions. Does nothing further once a newer generation began or the consumer closed.
 */
export async function settlePositions(
  deps: SettleDeps,
  generation: number,
  assigned: TopicPartitions,
  moved: ReadonlySet<string>,
): Promise<void> {
  const { states, commits, ledger, status, groupId, admin, kafkaConsumer } = deps
  const missing = [...states.values()].filter((state) => state.position < 0)
  const topics = [...new Set(missing.map((state) => state.topic))]
  // A write of ours still committing decides where kept partitions resume: wait for its outcome.
  await commits.inProgress
  if (groupId !== undefined && missing.some((state) => moved.has(slotKey(state.topic, state.partition)))) {
    await abortableSleep(REASSIGNMENT_GRACE_MS)
  }
  if (generation !== states.generation || status.closed) return
  const committed = groupId === undefined ? new Map() : await committedOffsets(admin, groupId, topics)
  const starts = new Map<string, number>()
  for (const topic of topics) {
    const uncommitted = missing
      .filter((state) => state.topic === topic && !committed.get(topic)?.has(state.partition))
      .map((state) => state.partition)
    for (const [partition, offset] of await startOffsets(admin, topic, uncommitted, deps.from)) {
      starts.set(slotKey(topic, partition), offset)
    }
  }
  if (generation !== states.generation || status.closed) return
  for (const state of states.values()) {
    if (state.position < 0) {
      const slot = slotKey(state.topic, state.partition)
      const fromGroup = committed.get(state.topic)?.get(state.partition)
      const own = ledger.ownCommit(slot)
      const position =
        own !== undefined || fromGroup !== undefined ? Math.max(own ?? 0, fromGroup ?? 0) : starts.get(slot)
      if (position === undefined) {
        throw new LogError(
          'RISKCTL_LOG_FAILURE',
          `No start offset for ${state.topic} partition ${state.partition}.`,
        )
      }
      state.position = position
    }
  }
  seekKnown(deps)
  if (assigned.length > 0) kafkaConsumer.resume(assigned)
  deps.onSettled()
}

/** Seeks kafkajs to every partition's position (all known by now) and marks them ready to be fetched. */
export function seekKnown(deps: Pick<SettleDeps, 'kafkaConsumer' | 'states'>): void {
  for (const state of deps.states.values()) {
    state.fetched = state.position
    deps.kafkaConsumer.seek({ topic: state.topic, partition: state.partition, offset: String(state.position) })
    state.ready = true
  }
}
