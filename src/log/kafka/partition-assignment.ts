import type { ConsumerGroupJoinEvent } from 'kafkajs'
import type { FetchBuffer } from './fetch-buffer.js'
import { slotKey, type TopicPartitions } from './partition-states.js'
import { seekKnown, settlePositions, type SettleDeps } from './settle-positions.js'

export interface AssignmentDeps extends SettleDeps {
  readonly buffer: FetchBuffer
  readonly onFailure: (error: unknown) => void
  /**
   * For a consumer of no group, where every partition starts (by slotKey), worked out before it joined: its
   * assignment is then settled at once, before kafkajs's first fetch, instead of paused while positions are
   * looked up (kafkajs sleeps a whole fetch wait when every assigned partition is paused).
   */
  readonly known?: ReadonlyMap<string, number>
}

/**
 * Positions are riskctl's, not kafkajs's: on every assignment the consumer pauses the assigned
 * partitions, works out where each one starts (the position it already had, else the group's
 * commit, else `from`), seeks kafkajs there and resumes. Anything fetched before that seek is
 * dropped unresolved, so no record is skipped across a rebalance; records still in the buffer are
 * dropped and fetched again from the position poll had reached.
 */
export class PartitionAssignment {
  constructor(private readonly deps: AssignmentDeps) {}

  onRebalancing(): void {
    this.deps.states.revoking = true
    this.deps.buffer.wakePoll()
  }

  /** Runs synchronously inside kafkajs, after the assignment and before the next fetch. */
  onAssignment(event: ConsumerGroupJoinEvent): void {
    const { states } = this.deps
    states.revoking = false
    const assigned = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({
      topic,
      partitions,
    }))
    const moved = new Set<string>()
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions)
        if (!states.has(topic, partition)) moved.add(slotKey(topic, partition))
    }
    this.deps.ledger.forgetMoved(assigned, moved)
    // A partition this consumer keeps goes on from where poll got to, not from the last commit.
    this.reset(
      assigned,
      (topic, partition) => {
        const kept = states.get(topic, partition)
        return kept?.ready ? kept.position : (this.deps.known?.get(slotKey(topic, partition)) ?? -1)
      },
      moved,
    )
  }

  /** Back to the last commit for every assigned partition, after a write that did not commit. */
  rewind(): void {
    if (this.deps.status.closed || this.deps.status.failure) return
    const byTopic = new Map<string, number[]>()
    for (const state of this.deps.states.values())
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition])
    this.reset(
      [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      () => -1,
      new Set(),
    )
  }

  private reset(
    assigned: TopicPartitions,
    startAt: (topic: string, partition: number) => number,
    moved: ReadonlySet<string>,
  ): void {
    const generation = this.deps.states.reset(assigned, startAt)
    this.deps.ledger.restart()
    this.deps.buffer.clear()
    // Without a group there is no commit to wait for or read: positions known now are taken now.
    if (this.deps.groupId === undefined && [...this.deps.states.values()].every((state) => state.position >= 0)) {
      seekKnown(this.deps)
      if (assigned.length > 0) this.deps.kafkaConsumer.resume(assigned)
      this.deps.onSettled()
      return
    }
    if (assigned.length > 0) this.deps.kafkaConsumer.pause(assigned)
    settlePositions(this.deps, generation, assigned, moved).catch((error: unknown) =>
      this.deps.onFailure(error),
    )
  }
}
