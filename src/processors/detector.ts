import { randomUUID } from 'node:crypto'
import type { KillCommand, KillState, RiskSignal } from '../contracts/messages.js'
import { orderSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import { killCommandFromRequest, RiskDetector, type DetectorOutput } from '../domain/detector.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { newConnectivity } from './connectivity.js'
import type { Processor } from './processor.js'
import { markConnected, supervise } from './supervise.js'
import { decodeStateRecord, jsonRecord } from './records.js'

export interface DetectorStats {
  ready: boolean
  orders: number
  signals: number
  kills: number
  late: number
  invalid: number
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
  readonly stats: DetectorStats = { ready: false, orders: 0, signals: 0, kills: 0, late: 0, invalid: 0 }
  private readonly detector: RiskDetector
  readonly connectivity = newConnectivity()
  private readonly status = new Map<string, KillState>()
  /** Where a restart after a lost connection picks up orders.v1: just past what was published. */
  private resumeAt: readonly TopicPartitionOffset[] | undefined
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

  private async attempt(signal: AbortSignal): Promise<void> {
    this.status.clear()
    const view = await this.log.readCompacted(KILL_STATE)
    for (const record of view.records.values()) this.followState(record)
    const states = await this.log.consumer({
      topics: [KILL_STATE],
      from: { type: 'offsets', offsets: view.endOffsets },
    })
    // From the end at first: replaying history would judge old bursts and could re-kill what an
    // operator restored. After an outage, from where it was, so a burst during it is still seen.
    const from = this.resumeAt
      ? { type: 'offsets' as const, offsets: this.resumeAt }
      : { type: 'latest' as const }
    const orders = await this.log.consumer({ topics: [ORDERS], from }).catch(async (error: unknown) => {
      await states.close()
      throw error
    })
    this.stats.ready = true
    markConnected(this.connectivity)
    let nextTick = this.now() + TICK_MS
    try {
      while (!signal.aborted) {
        for (const record of await states.poll({ maxRecords: 1000, maxWaitMs: 0 })) this.followState(record)
        const batch = await orders.poll({ maxRecords: 2000, maxWaitMs: 100 })
        const signals: RiskSignal[] = []
        const kills: KillCommand[] = []
        for (const record of batch) this.observe(record, signals, kills)
        if (this.now() >= nextTick) {
          nextTick = this.now() + TICK_MS
          this.collect(this.detector.tick(this.now()), signals, kills)
        }
        await this.publish(signals, kills)
        this.resumeAt = orders.positions()
      }
    } finally {
      await orders.close()
      await states.close()
    }
  }

  private observe(record: LogRecord, signals: RiskSignal[], kills: KillCommand[]): void {
    const decoded = decodeJson(orderSchema, record.value)
    if (!decoded.ok) {
      this.stats.invalid += 1
      return
    }
    this.stats.orders += 1
    const observation = this.detector.observe(decoded.value, this.now())
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

  private async publish(signals: readonly RiskSignal[], kills: readonly KillCommand[]): Promise<void> {
    if (signals.length === 0 && kills.length === 0) return
    await this.log.write([
      { topic: RISK_SIGNALS, records: signals.map((s) => jsonRecord(s.account_id, s, s.ts)) },
      { topic: KILL_COMMANDS, records: kills.map((k) => jsonRecord(k.scope, k, k.ts)) },
    ])
    this.stats.signals += signals.length
    this.stats.kills += kills.length
    for (const kill of kills) this.options.onKill?.(kill)
  }

  private followState(record: LogRecord): void {
    const change = decodeStateRecord(record)
    if (change.type === 'deleted') this.status.delete(change.scope)
    if (change.type !== 'state') return
    const previous = this.status.get(change.state.scope)
    this.status.set(change.state.scope, change.state)
    if (change.state.status === 'ACTIVE' && previous !== undefined && previous.status !== 'ACTIVE') {
      this.detector.scopeUnkilled(change.state.scope, change.state.updated_ts)
    }
  }
}
