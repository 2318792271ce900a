import { randomUUID } from 'node:crypto'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import type { RiskSignal } from '../domain/risk-signal.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import { killCommandFromRequest, RiskDetector, type DetectorOutput } from '../domain/detector.js'
import type { Consumer, EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { newConnectivity } from './connectivity.js'
import { detectorOrderOf } from './detector-input.js'
import type { Processor } from './processor.js'
import { readRange } from './read-range.js'
import { markConnected, supervise } from './supervise.js'
import { decodeStateRecord, jsonRecord } from './records.js'
import { TimeMerge } from './time-merge.js'

export const DETECTOR_GROUP = 'riskctl-detector'

export interface DetectorStats {
  ready: boolean
  orders: number
  signals: number
  kills: number
  late: number
  invalid: number
  /** Orders read again after a (re)start to rebuild the windows, judged before: they ask for nothing. */
  warmup: number
  /** Orders behind the end of orders.v1 at the last check: the catch-up still to do. */
  behind: number
}

export interface DetectorProcessorOptions {
  readonly settings: DetectorSettings
  readonly onKill?: (command: KillCommand) => void
  readonly now?: () => number
  readonly newId?: () => string
}

const TICK_MS = 1000

/**
 * Runs the risk detector on orders.v1: risk signals at a bounded rate, and one KILL per breach
 * episode. It follows the state topic too: an operator's UNKILL ends the episode and restarts the
 * scope's window, and a scope that is already KILLED is not asked to be killed again. It never
 * writes anything but KILL; malformed orders are the router's to dead-letter.
 */
export class DetectorProcessor implements Processor {
  readonly name = 'detector'
  readonly stats: DetectorStats = {
    ready: false,
    orders: 0,
    signals: 0,
    kills: 0,
    late: 0,
    invalid: 0,
    warmup: 0,
    behind: 0,
  }
  private detector: RiskDetector
  readonly connectivity = newConnectivity()
  private readonly status = new Map<string, KillState>()
  private readonly now: () => number
  private readonly newId: () => string

  constructor(
    private readonly log: EventLog,
    private readonly options: DetectorProcessorOptions,
  ) {
    this.detector = new RiskDetector(options.settings)
    this.now = options.now ?? Date.now
    this.newId = options.newId ?? randomUUID
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  /**
   * One run from the group's commit. The windows are rebuilt first: orders.v1 is read again from a window
   * (plus lateness) before the oldest committed position, and what was judged before the commit only fills
   * the windows. So a restart, or an outage, changes when a KILL is asked for, never whether.
   */
  private async attempt(signal: AbortSignal): Promise<void> {
    this.detector = new RiskDetector(this.options.settings)
    this.status.clear()
    const view = await this.log.readCompacted(KILL_STATE)
    const warmupFrom = await this.warmupStart()
    for (const record of view.records.values()) this.followState(record, warmupFrom.timestamp)
    const states = await this.log.consumer({ topics: [KILL_STATE], from: { type: 'offsets', offsets: view.endOffsets } })
    let orders: Consumer | undefined
    try {
      orders = await this.log.consumer({ topics: [ORDERS], from: { type: 'timestamp', timestamp: warmupFrom.timestamp } })
      await this.follow(orders, states, warmupFrom.judgeFrom, signal)
    } finally {
      await orders?.close()
      await states.close()
    }
  }

  private async follow(
    orders: Consumer,
    states: Consumer,
    judgeFrom: ReadonlyMap<number, number>,
    signal: AbortSignal,
  ): Promise<void> {
    const merge = new TimeMerge()
    merge.noteEnds([], await orders.endOffsets())
    this.stats.ready = true
    markConnected(this.connectivity)
    let nextTick = this.now() + TICK_MS
    let committed = ''
    while (!signal.aborted) {
      for (const record of await states.poll({ maxRecords: 1000, maxWaitMs: 0 })) this.followState(record)
      merge.push(await orders.poll({ maxRecords: 2000, maxWaitMs: 100 }))
      if (merge.buffered > 0 && merge.unknownPartitions().length > 0) merge.noteEnds(orders.positions(), await orders.endOffsets())
      const signals: RiskSignal[] = []
      const kills: KillCommand[] = []
      for (const record of merge.release()) this.observe(record, judgeFrom, signals, kills)
      if (this.now() >= nextTick) {
        nextTick = this.now() + TICK_MS
        const ends = await orders.endOffsets()
        merge.noteEnds(orders.positions(), ends)
        this.stats.behind = behindBy(orders.positions(), ends)
        // Wall-clock time moves the windows on once every partition has been read to its end, and no further than
        // the oldest order still held for the merge: further, it would make the backlog (or that order) late.
        if (this.stats.behind === 0) this.collect(this.detector.tick(Math.min(this.now(), merge.oldestHeld())), signals, kills)
      }
      // Never behind what an earlier run judged: a crash while the windows are rebuilt must not rewind the group.
      const positions = merge
        .commitPositions(orders.positions())
        .map((p) => ({ ...p, offset: Math.max(p.offset, judgeFrom.get(p.partition) ?? 0) }))
      const key = positions.map((p) => `${p.partition}:${p.offset}`).join()
      if (signals.length > 0 || kills.length > 0 || key !== committed) {
        await this.publish(signals, kills, positions)
        committed = key
      }
    }
  }

  /**
   * Where to read orders.v1 from, and from which offset on each partition an order is judged (its group's
   * commit: what came before was judged by an earlier run). The read starts a window and the lateness bound
   * before the append time of the oldest last-judged order; on a first start, a window before now, and all of
   * it is judged, so that a runaway already under way is killed at once.
   */
  private async warmupStart(): Promise<{ timestamp: number; judgeFrom: Map<number, number> }> {
    await this.log.prepareCommit?.({ groupId: DETECTOR_GROUP, offsets: [] })
    const committed = await this.log.committedOffsets(DETECTOR_GROUP, ORDERS)
    const judgeFrom = new Map(committed.map((p) => [p.partition, p.offset]))
    let lastJudged = this.now()
    const judged = committed.filter((p) => p.offset > 0)
    if (judged.length > 0) {
      const probe = await this.log.consumer({ topics: [ORDERS], from: { type: 'latest' } })
      const ends = await probe.endOffsets().finally(() => probe.close())
      // Every partition listed: one not listed would be read from its earliest record.
      const at = new Map(judged.map((p) => [p.partition, p.offset - 1]))
      const offsets = ends.map((end) => ({ ...end, offset: at.get(end.partition) ?? end.offset }))
      await readRange(
        this.log,
        ORDERS,
        { type: 'offsets', offsets },
        (records) => {
          for (const record of records) lastJudged = Math.min(lastJudged, record.timestamp)
        },
        judged,
      )
    }
    const { windowMs, allowedLatenessMs } = this.options.settings
    return { timestamp: Math.max(0, lastJudged - windowMs - allowedLatenessMs), judgeFrom }
  }

  private observe(
    record: LogRecord,
    judgeFrom: ReadonlyMap<number, number>,
    signals: RiskSignal[],
    kills: KillCommand[],
  ): void {
    const order = detectorOrderOf(record)
    if (order === undefined) {
      this.stats.invalid += 1
      return
    }
    const observation = this.detector.observe(order, this.now())
    if (record.offset < (judgeFrom.get(record.partition) ?? 0)) {
      this.stats.warmup += 1
      return
    }
    this.stats.orders += 1
    if (observation.late) this.stats.late += 1
    this.collect(observation, signals, kills)
  }

  private collect(output: DetectorOutput, signals: RiskSignal[], kills: KillCommand[]): void {
    signals.push(...output.signals)
    for (const request of output.kills) {
      // Already KILLED (by an operator, or before a restart): asking again would only add noise.
      if (this.status.get(request.scope)?.status === 'KILLED') continue
      kills.push(killCommandFromRequest(request, { cmdId: this.newId(), corrId: this.newId() }))
    }
  }

  /** Signals, KILLs and the group's position in one atomic write: a KILL is asked for exactly once. */
  private async publish(
    signals: readonly RiskSignal[],
    kills: readonly KillCommand[],
    positions: readonly TopicPartitionOffset[],
  ): Promise<void> {
    await this.log.write(
      [
        { topic: RISK_SIGNALS, records: signals.map((s) => jsonRecord(s.account_id, s, s.ts)) },
        { topic: KILL_COMMANDS, records: kills.map((k) => jsonRecord(k.scope, k, k.ts)) },
      ],
      { groupId: DETECTOR_GROUP, offsets: positions },
    )
    this.stats.signals += signals.length
    this.stats.kills += kills.length
    for (const kill of kills) this.options.onKill?.(kill)
  }

  /**
   * An operator's UNKILL restarts the scope's windows from the moment it was written (the state record's
   * append time, on the same clock as the orders'). At a (re)start, each UNKILL since warmupFromMs does so
   * too, so that the orders read again do not count the runaway an operator already restored.
   */
  private followState(record: LogRecord, warmupFromMs?: number): void {
    const change = decodeStateRecord(record)
    if (change.type === 'deleted') this.status.delete(change.scope)
    if (change.type !== 'state') return
    const previous = this.status.get(change.state.scope)
    this.status.set(change.state.scope, change.state)
    if (change.state.status !== 'ACTIVE') return
    const restored = warmupFromMs === undefined ? previous !== undefined && previous.status !== 'ACTIVE' : record.timestamp >= warmupFromMs
    if (restored) this.detector.scopeUnkilled(change.state.scope, record.timestamp)
  }
}

function behindBy(positions: readonly TopicPartitionOffset[], ends: readonly TopicPartitionOffset[]): number {
  const at = new Map(positions.map((p) => [p.partition, p.offset]))
  return ends.reduce((sum, end) => sum + Math.max(0, end.offset - (at.get(end.partition) ?? 0)), 0)
}
