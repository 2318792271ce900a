import { randomUUID } from 'node:crypto'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { Consumer, EventLog, TopicPartitionOffset } from '../log/port.js'
import { DETECTOR_GROUP } from '../../topologies/groups.js'
import { KILL_STATE, ORDERS } from '../../topologies/topics.js'
import { newConnectivity } from './connectivity.js'
import { DetectorState, type DetectorStep } from './detector-state.js'
import { createKillRequester, DETECTOR_OUTPUTS, type KillRequester } from './kill-requester.js'
import { createTopicWriter, readerOf, type LogReader } from './log-access.js'
import type { Processor } from './processor.js'
import { readRange } from './read-range.js'
import { markConnected, supervise } from './supervise.js'
import { TimeMerge } from './time-merge.js'

/** The detector's whole view of the log: it reads, and it can ask for KILLs. */
export interface DetectorAccess {
  readonly reader: LogReader
  readonly kills: KillRequester
}

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
  private state: DetectorState
  readonly connectivity = newConnectivity()
  private readonly now: () => number

  constructor(
    private readonly access: DetectorAccess,
    private readonly options: DetectorProcessorOptions,
  ) {
    this.state = new DetectorState(options.settings, this.stats)
    this.now = options.now ?? Date.now
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
    this.state = new DetectorState(this.options.settings, this.stats)
    const { reader } = this.access
    const view = await reader.readCompacted(KILL_STATE)
    const warmupFrom = await this.warmupStart()
    this.state.load(view.records.values(), warmupFrom.timestamp)
    const states = await reader.consumer({ topics: [KILL_STATE], from: { type: 'offsets', offsets: view.endOffsets } })
    let orders: Consumer | undefined
    try {
      orders = await reader.consumer({ topics: [ORDERS], from: { type: 'timestamp', timestamp: warmupFrom.timestamp } })
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
    const isJudged = (record: { partition: number; offset: number }) => record.offset < (judgeFrom.get(record.partition) ?? 0)
    while (!signal.aborted) {
      for (const record of await states.poll({ maxRecords: 1000, maxWaitMs: 0 })) this.state.followState(record)
      merge.push(await orders.poll({ maxRecords: 2000, maxWaitMs: 100 }))
      if (merge.buffered > 0 && merge.unknownPartitions().length > 0) merge.noteEnds(orders.positions(), await orders.endOffsets())
      const step = this.state.observe(merge.release(), this.now(), isJudged)
      if (this.now() >= nextTick) {
        nextTick = this.now() + TICK_MS
        const ends = await orders.endOffsets()
        merge.noteEnds(orders.positions(), ends)
        this.stats.behind = behindBy(orders.positions(), ends)
        // Wall-clock time moves the windows on once every partition has been read to its end, and no further than
        // the oldest order still held for the merge: further, it would make the backlog (or that order) late.
        if (this.stats.behind === 0) append(step, this.state.tick(Math.min(this.now(), merge.oldestHeld())))
      }
      // Never behind what an earlier run judged: a crash while the windows are rebuilt must not rewind the group.
      const positions = merge
        .commitPositions(orders.positions())
        .map((p) => ({ ...p, offset: Math.max(p.offset, judgeFrom.get(p.partition) ?? 0) }))
      const key = positions.map((p) => `${p.partition}:${p.offset}`).join()
      if (step.signals.length > 0 || step.kills.length > 0 || key !== committed) {
        await this.publish(step, positions)
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
    const { reader } = this.access
    await this.access.kills.prepare({ groupId: DETECTOR_GROUP, offsets: [] })
    const committed = await reader.committedOffsets(DETECTOR_GROUP, ORDERS)
    const judgeFrom = new Map(committed.map((p) => [p.partition, p.offset]))
    let lastJudged = this.now()
    const judged = committed.filter((p) => p.offset > 0)
    if (judged.length > 0) {
      const probe = await reader.consumer({ topics: [ORDERS], from: { type: 'latest' } })
      const ends = await probe.endOffsets().finally(() => probe.close())
      // Every partition listed: one not listed would be read from its earliest record.
      const at = new Map(judged.map((p) => [p.partition, p.offset - 1]))
      const offsets = ends.map((end) => ({ ...end, offset: at.get(end.partition) ?? end.offset }))
      await readRange(
        reader,
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

  /** Signals, KILLs and the group's position in one atomic write: a KILL is asked for exactly once. */
  private async publish(step: DetectorStep, positions: readonly TopicPartitionOffset[]): Promise<void> {
    const kills = await this.access.kills.requestKills(step.kills, step.signals, { groupId: DETECTOR_GROUP, offsets: positions })
    this.stats.signals += step.signals.length
    this.stats.kills += kills.length
    for (const kill of kills) this.options.onKill?.(kill)
  }
}

function append(step: DetectorStep, more: DetectorStep): void {
  // One by one: a tick over a hundred thousand accounts would overflow the call stack spread into push.
  for (const signal of more.signals) step.signals.push(signal)
  for (const kill of more.kills) step.kills.push(kill)
}

function behindBy(positions: readonly TopicPartitionOffset[], ends: readonly TopicPartitionOffset[]): number {
  const at = new Map(positions.map((p) => [p.partition, p.offset]))
  return ends.reduce((sum, end) => sum + Math.max(0, end.offset - (at.get(end.partition) ?? 0)), 0)
}

/** A detector on this log: it reads orders and states, and can only ask for KILLs (newId names each command). */
export function createDetector(log: EventLog, options: DetectorProcessorOptions & { readonly newId?: () => string }): DetectorProcessor {
  const kills = createKillRequester(createTopicWriter(log, DETECTOR_OUTPUTS), options.newId ?? randomUUID)
  return new DetectorProcessor({ reader: readerOf(log), kills }, options)
}
