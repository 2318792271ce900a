import type { TopicPartitionOffset } from '../port.js'

/** Where poll and the fetch loop stand on one assigned partition. */
export interface PartitionState {
  readonly topic: string
  readonly partition: number
  /** The next offset poll returns: just past the last record it handed out. */
  position: number
  /** The next offset kafkajs fetches: past everything buffered, and past control records. */
  fetched: number
  /** Records of this partition waiting in the buffer. */
  buffered: number
  /** False until its start position is known and kafkajs has been told to seek there. */
  ready: boolean
}

/** Partitions as group assignments list them and kafkajs's pause() and resume() take them. */
export type TopicPartitions = { topic: string; partitions: number[] }[]

export const slotKey = (topic: string, partition: number) => `${partition}@${topic}`

/**
 * The partitions this consumer holds now. Every assignment (and every rewind) replaces the whole
 * table and starts a new generation, so work begun for an older one can tell it is out of date.
 */
export class PartitionStates {
  private states = new Map<string, PartitionState>()
  private current = 0
  /** Between kafkajs noticing a rebalance and the new assignment: nothing may be committed. */
  revoking = false

  get generation(): number {
    return this.current
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.states.get(slotKey(topic, partition))
  }

  has(topic: string, partition: number): boolean {
    return this.states.has(slotKey(topic, partition))
  }

  values(): IterableIterator<PartitionState> {
    return this.states.values()
  }

  /**
   * Starts a new generation holding `assigned`, each partition not yet ready, at the position
   * `startAt` gives (-1 when it is still to be found). `startAt` still sees the old generation.
   */
  reset(assigned: TopicPartitions, startAt: (topic: string, partition: number) => number): number {
    const next = new Map<string, PartitionState>()
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions) {
        const position = startAt(topic, partition)
        next.set(slotKey(topic, partition), {
          topic,
          partition,
          position,
          fetched: position,
          buffered: 0,
          ready: false,
        })
      }
    }
    this.states = next
    this.current += 1
    return this.current
  }

  positions(): readonly TopicPartitionOffset[] {
    return [...this.states.values()]
      .filter((state) => state.position >= 0)
      .map((state) => ({ topic: state.topic, partition: state.partition, offset: state.position }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  }
}
