import type { DetectorSettings } from '../domain/detector-settings.js'
import { RiskDetector, type DetectorOutput, type KillRequest } from '../domain/detector.js'
import type { KillState } from '../domain/kill-status.js'
import type { RiskSignal } from '../domain/risk-signal.js'
import type { LogRecord } from '../log/port.js'
import { detectorOrderOf } from './detector-input.js'
import { decodeStateRecord } from './topic-codec.js'

/** What one step of the detector asks for: signals to publish, and scopes to KILL. Nothing else can be said. */
export interface DetectorStep {
  readonly signals: RiskSignal[]
  readonly kills: KillRequest[]
}

export interface DetectorCounts {
  orders: number
  late: number
  invalid: number
  /** Orders read again after a (re)start to rebuild the windows, judged before: they ask for nothing. */
  warmup: number
}

/**
 * What the detector knows, without any I/O: the sliding windows per scope and each scope's kill status (from the
 * state topic). The long-running detector and the test driver hold one and feed it records in append-time order.
 */
export class DetectorState {
  private readonly detector: RiskDetector
  private readonly status = new Map<string, KillState>()

  constructor(
    settings: DetectorSettings,
    readonly counts: DetectorCounts = { orders: 0, late: 0, invalid: 0, warmup: 0 },
  ) {
    this.detector = new RiskDetector(settings)
  }

  /**
   * The compacted state at a (re)start. Each UNKILL since warmupFromMs restarts its scope's windows from the moment
   * it was written, so that the orders read again do not count the runaway an operator already restored.
   */
  load(records: Iterable<LogRecord>, warmupFromMs: number): void {
    for (const record of records) this.followState(record, warmupFromMs)
  }

  /**
   * One record of the state topic. An operator's UNKILL restarts the scope's windows from the moment it was written
   * (the state record's append time, on the same clock as the orders').
   */
  followState(record: LogRecord, warmupFromMs?: number): void {
    const change = decodeStateRecord(record)
    if (change.type === 'deleted') this.status.delete(change.scope)
    if (change.type !== 'state') return
    const previous = this.status.get(change.state.scope)
    this.status.set(change.state.scope, change.state)
    if (change.state.status !== 'ACTIVE') return
    const restored =
      warmupFromMs === undefined ? previous !== undefined && previous.status !== 'ACTIVE' : record.timestamp >= warmupFromMs
    if (restored) this.detector.scopeUnkilled(change.state.scope, record.timestamp)
  }

  /**
   * Orders of orders.v1 in append-time order. One that `isJudged` says an earlier run judged only fills the
   * windows; a malformed one is the router's to dead-letter, and is only counted here.
   */
  observe(records: Iterable<LogRecord>, nowMs: number, isJudged: (record: LogRecord) => boolean = () => false): DetectorStep {
    const step: DetectorStep = { signals: [], kills: [] }
    for (const record of records) {
      const order = detectorOrderOf(record)
      if (order === undefined) {
        this.counts.invalid += 1
        continue
      }
      const observation = this.detector.observe(order, nowMs)
      if (isJudged(record)) {
        this.counts.warmup += 1
        continue
      }
      this.counts.orders += 1
      if (observation.late) this.counts.late += 1
      this.collect(observation, step)
    }
    return step
  }

  /** Moves event time on to nowMs though no order says so: windows close, episodes end. */
  tick(nowMs: number): DetectorStep {
    const step: DetectorStep = { signals: [], kills: [] }
    this.collect(this.detector.tick(nowMs), step)
    return step
  }

  private collect(output: DetectorOutput, step: DetectorStep): void {
    for (const signal of output.signals) step.signals.push(signal)
    for (const request of output.kills) {
      // Already KILLED (by an operator, or before a restart): asking again would only add noise.
      if (this.status.get(request.scope)?.status !== 'KILLED') step.kills.push(request)
    }
  }
}
