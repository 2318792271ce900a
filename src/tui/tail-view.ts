import type { TailRecord } from '../services/tail.js'
import {
  activeKills,
  auditOutcome,
  creditStandings,
  EMPTY_DASHBOARD,
  reduceDashboard,
  type ActiveKill,
  type CreditStanding,
  type DashboardState,
} from './dashboard.js'
import { PaneBuffer } from './pane-buffer.js'
import { RateMeter } from './rate-meter.js'

export interface TailViewOptions {
  /** One pane per topic, in this order. */
  readonly topics: readonly string[]
  readonly startedAt: number
  readonly paneCapacity?: number
  readonly rateWindowMs?: number
}

/** The header's figures at one moment. */
export interface DashboardSnapshot {
  readonly kills: readonly ActiveKill[]
  /** Accounts past 50, 75 or 90% of their credit line today, highest first. */
  readonly credit: readonly CreditStanding[]
  readonly allowed: number
  readonly dropped: number
  readonly allowedPerSec: number
  readonly droppedPerSec: number
}

/**
 * Everything the live view knows, fed in the background record by record and read by the
 * renderer a few times a second: ingesting is cheap and never renders, so a fast topic costs
 * memory bounded by the panes' capacity and frames bounded by the renderer's interval.
 */
export class TailView {
  readonly panes: readonly PaneBuffer[]
  private state: DashboardState = EMPTY_DASHBOARD
  private readonly allowedMeter: RateMeter
  private readonly droppedMeter: RateMeter
  private changes = 0

  constructor(options: TailViewOptions) {
    const rate = {
      startedAt: options.startedAt,
      ...(options.rateWindowMs === undefined ? {} : { windowMs: options.rateWindowMs }),
    }
    this.panes = options.topics.map(
      (topic) =>
        new PaneBuffer({
          topic,
          ...rate,
          ...(options.paneCapacity === undefined ? {} : { capacity: options.paneCapacity }),
        }),
    )
    this.allowedMeter = new RateMeter(rate)
    this.droppedMeter = new RateMeter(rate)
  }

  /** Grows with every change, so a renderer can tell whether anything arrived since its last frame. */
  get version(): number {
    return this.changes
  }

  get dashboard(): DashboardState {
    return this.state
  }

  /** Records of a topic without a pane still count for the header (state, audit and credit warnings). */
  ingest(record: TailRecord, now: number): void {
    for (const pane of this.panes) if (pane.topic === record.topic) pane.push(record, now)
    this.state = reduceDashboard(this.state, record)
    const outcome = auditOutcome(record)
    if (outcome === 'allowed') this.allowedMeter.record(now)
    if (outcome === 'dropped') this.droppedMeter.record(now)
    this.changes += 1
  }

  /** Kill state read before following (the compacted topic's current content): header only, no pane. */
  seedDashboard(records: Iterable<TailRecord>): void {
    for (const record of records) this.state = reduceDashboard(this.state, record)
    this.changes += 1
  }

  snapshot(now: number): DashboardSnapshot {
    return {
      kills: activeKills(this.state),
      credit: creditStandings(this.state),
      allowed: this.state.allowed,
      dropped: this.state.dropped,
      allowedPerSec: this.allowedMeter.perSecond(now),
      droppedPerSec: this.droppedMeter.perSecond(now),
    }
  }
}
