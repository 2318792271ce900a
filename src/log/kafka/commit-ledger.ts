import type { TopicPartitionOffset } from '../port.js'
import { slotKey, type PartitionStates, type TopicPartitions } from './partition-states.js'

/**
 * What a consumer knows of its own commits, which the broker cannot tell it reliably: the offset
 * it last committed per partition (exact, where the broker's answer may lag), and whether poll
 * has handed out records that no commit covers yet.
 */
export class CommitLedger {
  /** The generation in which poll handed out records that no commit has covered yet. */
  private inFlightGeneration: number | undefined
  /** By slotKey(): what this consumer itself last committed per partition. */
  private readonly own = new Map<string, number>()

  constructor(private readonly states: PartitionStates) {}

  /** By slotKey(): what this consumer last committed for the partition, if it kept it throughout. */
  ownCommit(slot: string): number | undefined {
    return this.own.get(slot)
  }

  /** Poll is handing out records: a commit in a later generation would be another member's. */
  handingOut(): void {
    this.inFlightGeneration ??= this.states.generation
  }

  /** A new generation began: nothing has been handed out in it. */
  restart(): void {
    this.inFlightGeneration = undefined
  }

  /** Only partitions kept throughout may rely on this consumer's own commits. */
  forgetMoved(assigned: TopicPartitions, moved: ReadonlySet<string>): void {
    for (const slot of [...this.own.keys()])
      if (moved.has(slot) || !holds(assigned, slot)) this.own.delete(slot)
  }

  /**
   * False after a rebalance began, for a partition not (yet) ready in this assignment, or once the
   * records were polled in an earlier generation: their partitions may already be another member's.
   */
  mayCommit(offsets: readonly TopicPartitionOffset[]): boolean {
    const moved = offsets.some((o) => this.states.get(o.topic, o.partition)?.ready !== true)
    const stale = this.inFlightGeneration !== undefined && this.inFlightGeneration !== this.states.generation
    return !(this.states.revoking || moved || stale)
  }

  committed(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets)
      if (this.states.has(o.topic, o.partition)) this.own.set(slotKey(o.topic, o.partition), o.offset)
    const beyond = [...this.states.values()].some(
      (state) => state.position > (this.own.get(slotKey(state.topic, state.partition)) ?? -1),
    )
    this.inFlightGeneration = beyond ? this.states.generation : undefined
  }
}

function holds(assigned: TopicPartitions, slot: string): boolean {
  return assigned.some(({ topic, partitions }) =>
    partitions.some((partition) => slotKey(topic, partition) === slot),
  )
}
