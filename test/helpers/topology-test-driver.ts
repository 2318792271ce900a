import type { FourEyesPolicy } from '../../src/domain/approval.js'
import { decodeJson } from '../../src/contracts/decode.js'
import type { DetectorSettings } from '../../src/domain/detector-settings.js'
import type { GroupCommit, LogRecord, ProduceRecord, RecordMetadata, TopicBatch } from '../../src/log/port.js'
import { AGGREGATOR_OUTPUTS, DEFAULT_COMMAND_MEMORY_MS } from '../../src/processors/aggregator.js'
import { AggregatorState, type AggregatorOutputs } from '../../src/processors/aggregator-state.js'
import { DetectorState, type DetectorStep } from '../../src/processors/detector-state.js'
import { createKillRequester, DETECTOR_OUTPUTS, type KillRequester } from '../../src/processors/kill-requester.js'
import type { Outputs, TopicWriter } from '../../src/processors/log-access.js'
import { DEFAULT_DUPLICATE_HORIZON_MS, DEFAULT_MAX_REMEMBERED_IDS, ROUTER_OUTPUTS } from '../../src/processors/router.js'
import { routedOutputs } from '../../src/processors/router-writes.js'
import { RouterState } from '../../src/processors/router-state.js'
import { encode, type TopicName, type TopicValues } from '../../src/processors/topic-codec.js'
import { APPROVALS, AUDIT, findTopic, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS, TOPIC_NAMES } from '../../topologies/topics.js'
import type { CommandRecord } from '../../src/contracts/commands.js'
import { allowedAction } from '../../src/processors/operator-trail.js'
import { VOUCHER_LOOKBACK_MS } from '../../src/domain/operator-voucher.js'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import { KILL_SWITCH_ONLY } from './limits.js'

export type DriverProcessor = 'router' | 'aggregator' | 'detector'

export interface DriverOptions {
  /** Epoch ms the fake clock starts at. */
  readonly startMs: number
  /** Which processors run (default: all three). */
  readonly processors?: readonly DriverProcessor[]
  /** Needed when the detector runs. */
  readonly detectorSettings?: DetectorSettings
  readonly duplicateHorizonMs?: number
  /** The router's limits (default: none but the kill switch, and orders allowed without a reference price). */
  readonly limits?: LimitsTopology
  /** Four-eyes unkill for the aggregator (default: off). */
  readonly fourEyes?: FourEyesPolicy
}

/** How far each processor has read each topic: the next offset. */
type Positions = Map<string, number>

/**
 * Kafka Streams' TopologyTestDriver for riskctl: an in-memory log (one partition per topic, append times from a
 * fake clock) and the processors' own pure steps, run to quiescence after every record piped in. The same steps
 * the long-running processors and the Lambda handlers call, with no I/O, no wall clock and no sleeps: pipe
 * records in, advance the clock, read the output topics, restart a processor as a crash would.
 */
export class TopologyTestDriver {
  private nowMs: number
  private readonly topics = new Map<string, LogRecord[]>(TOPIC_NAMES.map((name) => [name, []]))
  private readonly running: ReadonlySet<DriverProcessor>
  private readonly read = new Map<DriverProcessor, Positions>()
  private router: RouterState | undefined
  private aggregator: AggregatorState | undefined
  private detector: DetectorState | undefined
  private readonly kills: KillRequester
  private nextId = 0
  /** The detector's last judged offset of orders.v1: what a restart only re-reads. */
  private detectorJudged = 0

  constructor(private readonly options: DriverOptions) {
    this.nowMs = options.startMs
    this.running = new Set(options.processors ?? ['router', 'aggregator', 'detector'])
    this.kills = createKillRequester(this.writer(DETECTOR_OUTPUTS), () => `driver-${++this.nextId}`)
    for (const name of this.running) this.start(name)
  }

  get now(): number {
    return this.nowMs
  }

  /** A value of a topic as riskctl encodes it, appended at the clock's time, then processed. */
  pipe<T extends TopicName>(topic: T, value: TopicValues[T]): void {
    this.append(topic, [encode(topic, value)])
    this.process()
  }

  /**
   * A command as the operator channel (riskctl, the console) sends it: with its ALLOWED entry in the operator-action
   * trail, appended together, as publishTrailed writes them. pipe(KILL_COMMANDS, ...) is a raw write with no entry.
   */
  send(command: CommandRecord, at: number = this.nowMs): void {
    this.append(OPERATOR_ACTIONS, [encode(OPERATOR_ACTIONS, allowedAction(command, { channel: 'cli', from: 'driver' }), { timestamp: at })])
    this.append(KILL_COMMANDS, [encode(KILL_COMMANDS, command, { timestamp: at })])
    this.process()
  }

  /** Any bytes under any key: what a broken or hostile producer might write. */
  pipeRaw(topic: string, key: string | null, value: Buffer | string | null): void {
    this.append(topic, [{ key, value: typeof value === 'string' ? Buffer.from(value) : value }])
    this.process()
  }

  /** Records as a producer sends them, appended together and then processed: where each landed. */
  pipeRecords(topic: string, records: readonly ProduceRecord[]): RecordMetadata[] {
    const metadata = this.append(topic, records)
    this.process()
    return metadata
  }

  /** Batches to several topics appended as one write (as EventLog.write), then processed: where each landed. */
  pipeTogether(batches: readonly TopicBatch[]): RecordMetadata[] {
    const metadata = batches.flatMap((batch) => this.append(batch.topic, batch.records))
    this.process()
    return metadata
  }

  /** Moves the fake clock on to `ms` (never back). */
  advanceTo(ms: number): void {
    if (ms > this.nowMs) this.advance(ms - this.nowMs)
  }

  /** Moves the fake clock on: detector windows close on their own (its tick), throttle seconds pass. */
  advance(ms: number): void {
    this.nowMs += ms
    if (this.detector !== undefined) this.publish(this.detector.tick(this.nowMs), this.lengthOf(ORDERS))
    this.process()
  }

  /** Every record of a topic, in append order. */
  records(topic: string): readonly LogRecord[] {
    return this.topics.get(topic) ?? []
  }

  /** Every value of a topic, decoded with its contract; a record that does not decode fails the test. */
  values<T extends TopicName>(topic: T): TopicValues[T][] {
    const schema = findTopic(topic)!.schema
    return this.records(topic).map((record) => {
      const decoded = decodeJson(schema, record.value)
      if (!decoded.ok) throw new Error(`${topic} ${record.offset}: ${decoded.error}`)
      return decoded.value as TopicValues[T]
    })
  }

  /** The compacted view of a topic: the newest record per key (tombstones removed). */
  latest(topic: string): Map<string, LogRecord> {
    const view = new Map<string, LogRecord>()
    for (const record of this.records(topic)) {
      if (record.key === null) continue
      if (record.value === null) view.delete(record.key)
      else view.set(record.key, record)
    }
    return view
  }

  /**
   * The processor as after a kill -9 and a start: its memory gone, rebuilt from the log as it rebuilds it (the
   * compacted state, the commands or audits it wrote), resuming from its committed position.
   */
  restart(name: DriverProcessor): void {
    this.start(name)
    this.process()
  }

  private start(name: DriverProcessor): void {
    const committed = this.read.get(name)
    const positions: Positions = new Map(committed ?? [])
    const state = [...this.latest(KILL_STATE).values()]
    positions.set(KILL_STATE, this.lengthOf(KILL_STATE))
    if (name === 'router') {
      this.router = new RouterState(DEFAULT_MAX_REMEMBERED_IDS, this.options.limits ?? KILL_SWITCH_ONLY)
      this.router.load(state)
      this.router.loadLimits(this.latest(RISK_LIMITS).values())
      this.router.loadPrices(this.latest(REFERENCE_PRICES).values())
      positions.set(RISK_LIMITS, this.lengthOf(RISK_LIMITS))
      positions.set(REFERENCE_PRICES, this.lengthOf(REFERENCE_PRICES))
      const dayStart = this.router.tradingDayStart(this.nowMs)
      const gated = this.records(ORDERS_GATED).filter((record) => record.timestamp >= dayStart)
      this.router.restoreSpending(gated, this.nowMs, true)
      const horizon = this.nowMs - (this.options.duplicateHorizonMs ?? DEFAULT_DUPLICATE_HORIZON_MS)
      this.router.rememberFromAudit(this.records(AUDIT).filter((record) => record.timestamp >= horizon))
      this.router.decided.confirm()
    } else if (name === 'aggregator') {
      this.aggregator = new AggregatorState(this.options.fourEyes)
      this.aggregator.load(state)
      this.aggregator.loadLimits(this.latest(RISK_LIMITS).values())
      this.aggregator.loadApprovals(this.latest(APPROVALS).values())
      positions.set(RISK_LIMITS, this.lengthOf(RISK_LIMITS))
      const memoryFrom = this.nowMs - DEFAULT_COMMAND_MEMORY_MS
      const committed = positions.get(KILL_COMMANDS) ?? 0
      const handled = this.records(KILL_COMMANDS).slice(0, committed)
      // The trail's last hour first, as the aggregator reads it at a start: what it vouches for is spent again.
      this.aggregator.vouch(this.records(OPERATOR_ACTIONS).filter((record) => record.timestamp >= this.nowMs - VOUCHER_LOOKBACK_MS))
      this.aggregator.remember(handled.filter((record) => record.timestamp >= memoryFrom), this.nowMs)
      this.aggregator.rememberPending(this.records(KILL_COMMANDS).slice(committed))
    } else {
      const settings = this.options.detectorSettings
      if (settings === undefined) throw new Error('the detector needs detectorSettings')
      this.detector = new DetectorState(settings)
      const orders = this.records(ORDERS)
      const lastJudged = orders[this.detectorJudged - 1]?.timestamp ?? this.nowMs
      const warmupFrom = Math.max(0, lastJudged - settings.windowMs - settings.allowedLatenessMs)
      this.detector.load(state, warmupFrom)
      // Rebuild the windows from a window before the last judged order; only what comes after is judged.
      const first = orders.findIndex((record) => record.timestamp >= warmupFrom)
      positions.set(ORDERS, first === -1 ? orders.length : Math.min(first, this.detectorJudged))
    }
    this.read.set(name, positions)
  }

  /** Runs every processor on what it has not read yet, until none has anything left. */
  private process(): void {
    for (let rounds = 0; rounds < 1000; rounds += 1) {
      let moved = false
      if (this.aggregator !== undefined) moved = this.stepAggregator(this.aggregator) || moved
      if (this.router !== undefined) moved = this.stepRouter(this.router) || moved
      if (this.detector !== undefined) moved = this.stepDetector(this.detector) || moved
      if (!moved) return
    }
    throw new Error('the topology did not settle within 1000 rounds')
  }

  private stepRouter(router: RouterState): boolean {
    // The state first, to its end: a kill appended before an order governs it (the router's catch-up).
    const states = [...this.unread('router', KILL_STATE), ...this.unread('router', RISK_LIMITS), ...this.unread('router', REFERENCE_PRICES)]
    for (const record of states) router.follow(record)
    const orders = this.unread('router', ORDERS)
    if (orders.length > 0) {
      const routed = router.route(orders, this.nowMs)
      void this.writer(ROUTER_OUTPUTS).write(routedOutputs([routed]))
      router.confirm(router.decided.pending, router.journal.pending)
    }
    return states.length > 0 || orders.length > 0
  }

  private stepAggregator(aggregator: AggregatorState): boolean {
    const commands = this.unread('aggregator', KILL_COMMANDS)
    const states = [...this.unread('aggregator', KILL_STATE), ...this.unread('aggregator', RISK_LIMITS)]
    for (const record of states) aggregator.followRecord(record)
    if (commands.length === 0 && !aggregator.hasRepairs && !aggregator.hasDueReverts(this.nowMs)) return states.length > 0
    // The trail as the aggregator reads it for these commands: from the time they need, to its end.
    const trailFrom = aggregator.trailNeededFrom(commands, this.nowMs)
    if (trailFrom !== undefined) aggregator.vouch(this.records(OPERATOR_ACTIONS).filter((record) => record.timestamp >= trailFrom))
    const output: AggregatorOutputs = aggregator.apply(commands, this.nowMs, trailFrom === undefined ? undefined : { fromMs: trailFrom })
    void this.writer(AGGREGATOR_OUTPUTS).write({
      'killswitch.state.v1': output.states,
      'risk_limits.v1': output.limits,
      'killswitch.approvals.v1': output.approvals,
      'killswitch.commands.v1': output.reverts,
      'audit.v1': output.audits,
      'dlq.v1': output.deadLetters,
    })
    aggregator.confirm()
    return true
  }

  private stepDetector(detector: DetectorState): boolean {
    const states = this.unread('detector', KILL_STATE)
    for (const record of states) detector.followState(record)
    const from = this.read.get('detector')!.get(ORDERS) ?? 0
    const orders = this.unread('detector', ORDERS)
    if (orders.length === 0) return states.length > 0
    const judged = this.detectorJudged
    const step = detector.observe(orders, this.nowMs, (record) => record.offset < judged)
    this.publish(step, from + orders.length)
    return true
  }

  private publish(step: DetectorStep, judgedTo: number): void {
    this.detectorJudged = Math.max(this.detectorJudged, judgedTo)
    if (step.kills.length === 0 && step.signals.length === 0) return
    void this.kills.requestKills(step.kills, step.signals, { groupId: 'driver', offsets: [] })
  }

  private unread(name: DriverProcessor, topic: string): LogRecord[] {
    const positions = this.read.get(name)!
    const records = this.records(topic)
    const from = positions.get(topic) ?? 0
    positions.set(topic, records.length)
    return records.slice(from)
  }

  private lengthOf(topic: string): number {
    return this.records(topic).length
  }

  /** A writer of these topics over the in-memory log; writes land synchronously (the promise is already settled). */
  private writer<const T extends string>(topics: readonly T[]): TopicWriter<T> {
    return {
      topics,
      prepare: async () => undefined,
      write: (outputs: Outputs<T>, _commit?: GroupCommit) => {
        const metadata: RecordMetadata[] = []
        for (const [topic, records] of Object.entries<readonly ProduceRecord[] | undefined>(outputs)) {
          if (!(topics as readonly string[]).includes(topic)) throw new Error(`this writer may not append to ${topic}`)
          metadata.push(...this.append(topic, records ?? []))
        }
        return Promise.resolve(metadata)
      },
    }
  }

  private append(topic: string, records: readonly ProduceRecord[]): RecordMetadata[] {
    const log = this.topics.get(topic)
    if (log === undefined) throw new Error(`no topic ${topic}`)
    return records.map((record) => {
      // The log's clock stamps orders.v1 (LogAppendTime), as a broker would; elsewhere the writer's timestamp holds.
      const appendTime = findTopic(topic)?.configs['message.timestamp.type'] === 'LogAppendTime'
      const stored: LogRecord = {
        topic,
        partition: 0,
        offset: log.length,
        key: record.key,
        value: record.value,
        timestamp: appendTime ? this.nowMs : (record.timestamp ?? this.nowMs),
        headers: record.headers ?? {},
      }
      log.push(stored)
      return { topic, partition: 0, offset: stored.offset }
    })
  }
}
