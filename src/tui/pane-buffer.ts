import type { TailRecord } from '../services/tail.js'
import { RateMeter } from './rate-meter.js'
import { RingBuffer } from './ring-buffer.js'

/** A record as a pane holds it: `seq` counts the pane's records from 0, so it names one for selection. */
export interface PaneEntry {
  readonly seq: number
  readonly record: TailRecord
}

export interface PaneBufferOptions {
  readonly topic: string
  readonly startedAt: number
  /** Records kept for display and selection; older ones are dropped (but still counted). */
  readonly capacity?: number
  readonly rateWindowMs?: number
}

export const DEFAULT_PANE_CAPACITY = 200

/** One topic's share of the view: its newest records, how many it has seen and how fast they come. */
export class PaneBuffer {
  readonly topic: string
  private readonly ring: RingBuffer<PaneEntry>
  private readonly meter: RateMeter
  private seen = 0

  constructor(options: PaneBufferOptions) {
    this.topic = options.topic
    this.ring = new RingBuffer(options.capacity ?? DEFAULT_PANE_CAPACITY)
    this.meter = new RateMeter({
      startedAt: options.startedAt,
      ...(options.rateWindowMs === undefined ? {} : { windowMs: options.rateWindowMs }),
    })
  }

  push(record: TailRecord, now: number): void {
    this.ring.push({ seq: this.seen, record })
    this.seen += 1
    this.meter.record(now)
  }

  /** Every record seen, including those no longer buffered. */
  get count(): number {
    return this.seen
  }

  get buffered(): number {
    return this.ring.length
  }

  perSecond(now: number): number {
    return this.meter.perSecond(now)
  }

  /** Where `seq` sits counting back from the newest record, or undefined once it has left the buffer. */
  indexOf(seq: number): number | undefined {
    const index = this.seen - 1 - seq
    return index >= 0 && index < this.ring.length ? index : undefined
  }

  find(seq: number): PaneEntry | undefined {
    const index = this.indexOf(seq)
    return index === undefined ? undefined : this.ring.fromNewest(index)
  }

  /** Up to `limit` entries from `skip` places back from the newest, newest first. */
  entries(limit: number, skip = 0): PaneEntry[] {
    return this.ring.newestFirst(limit, skip)
  }
}
