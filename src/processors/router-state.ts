import { decodeOrder } from '../contracts/decode.js'
import { mayReplace } from '../domain/kill-state.js'
import { KillStateTable, type KillStateView } from '../domain/kill-state-table.js'
import { decideOrder, type OrderDecision, type PretradeContext } from '../domain/order-decision.js'
import type { Order } from '../domain/order.js'
import { CreditLedger } from '../domain/pretrade/credit-ledger.js'
import { DuplicativeWindow } from '../domain/pretrade/duplicative-window.js'
import { LimitsTable, type LimitsView } from '../domain/pretrade/limits-table.js'
import { MessageRateMeter } from '../domain/pretrade/message-rate.js'
import { ReferencePriceTable } from '../domain/pretrade/reference-prices.js'
import { TradingDay } from '../domain/pretrade/trading-day.js'
import { UndoJournal } from '../domain/pretrade/undo-journal.js'
import { ThrottleMeter } from '../domain/throttle-meter.js'
import type { LogRecord } from '../log/port.js'
import type { LimitsTopology } from '../config/limits-topology.js'
import { KILL_STATE, REFERENCE_PRICES, RISK_LIMITS } from '../../topologies/topics.js'
import { decodeLimitsRecord, decodePriceRecord } from './limits-codec.js'
import { decodeStateRecord } from './topic-codec.js'
import { rememberDecided, routeBatch, type RoutedBatch } from './router-step.js'
import { TentativeIds } from './tentative-ids.js'

export interface StateRecordStats {
  stateRecords: number
  /** State records that were not enforced as written (incomplete, unreadable, naming no scope). */
  stateProblems: number
  /** The last of them, for the status line: an alert until an operator sees to it. */
  lastStateProblem: string | undefined
}

/** The state topics a router reads to their end before it decides, and follows: each changes only its own table. */
export const ROUTER_STATE_TOPICS = [KILL_STATE, RISK_LIMITS, REFERENCE_PRICES] as const

/**
 * What a router knows, without any I/O: the kill state, limits and reference prices it enforces (changed only by
 * records of their topics), the throttle budget, credit, message budget and duplicative window spent, and the
 * order_ids it decided. The long-running router, the Lambda handler and the test driver all hold one and feed it
 * records; only read-only views are handed to anything else.
 */
export class RouterState {
  private table = new KillStateTable()
  private meter = new ThrottleMeter()
  private limits: LimitsTable
  private prices = new ReferencePriceTable()
  readonly decided: TentativeIds
  /** What the checks spent on decisions not yet durable: confirmed and rolled back with `decided`. */
  readonly journal = new UndoJournal()
  private readonly credit: CreditLedger
  private readonly pretrade: PretradeContext

  constructor(
    maxRememberedIds: number,
    private readonly topology: LimitsTopology,
    readonly stats: StateRecordStats = { stateRecords: 0, stateProblems: 0, lastStateProblem: undefined },
  ) {
    this.decided = new TentativeIds(maxRememberedIds)
    this.limits = new LimitsTable(topology.defaults)
    this.credit = new CreditLedger(new TradingDay(topology.tradingDay.timeZone, topology.tradingDay.startHour), this.journal)
    // Views onto whichever tables are current: a (re)load replaces the tables, not the context.
    const limitsOf = () => this.limits.view
    this.pretrade = {
      get limits() {
        return limitsOf()
      },
      prices: {
        referencePrice: (symbol) => this.prices.view.referencePrice(symbol),
        maxReferenceAgeMs: topology.referencePriceMaxAgeMs,
      },
      spending: {
        credit: this.credit,
        duplicative: new DuplicativeWindow(topology.duplicativeWindowMs, this.journal),
        messageRate: new MessageRateMeter(this.journal),
      },
    }
  }

  /** The limits this router enforces, to read: only risk_limits.v1 changes them. */
  get limitsView(): LimitsView {
    return this.limits.view
  }

  /** The kill state this router enforces, to read: only state records change it. */
  get view(): KillStateView {
    return this.table
  }

  /**
   * Replaces the kill state with a compacted view of the state topic. Whole records first, then the rest, which
   * may only tighten: on the compacted topic, records under different keys for one scope come in no particular
   * order. The old table stays in force until the new one is complete.
   */
  load(records: Iterable<LogRecord>): void {
    const table = new KillStateTable()
    const meter = new ThrottleMeter()
    const rest: LogRecord[] = []
    for (const record of records) {
      const change = decodeStateRecord(record)
      const whole = change.type !== 'invalid' && (change.type !== 'state' || change.problem === undefined)
      if (whole) this.apply(record, change, table, meter)
      else rest.push(record)
    }
    for (const record of rest) this.apply(record, decodeStateRecord(record), table, meter)
    this.table = table
    this.meter = meter
  }

  /** Replaces the limits with a compacted view of risk_limits.v1; the old ones stay in force until then. */
  loadLimits(records: Iterable<LogRecord>): void {
    const table = new LimitsTable(this.topology.defaults)
    for (const record of records) this.applyLimits(record, table)
    this.limits = table
  }

  /** Replaces the reference prices with a compacted view of reference_prices.v1. */
  loadPrices(records: Iterable<LogRecord>): void {
    const table = new ReferencePriceTable()
    for (const record of records) this.applyPrice(record, table)
    this.prices = table
  }

  /** One record of a state topic (the kill state, limits or prices), as the router follows them. */
  follow(record: LogRecord): void {
    if (record.topic === RISK_LIMITS) this.applyLimits(record, this.limits)
    else if (record.topic === REFERENCE_PRICES) this.applyPrice(record, this.prices)
    else this.apply(record, decodeStateRecord(record), this.table, this.meter)
  }

  /**
   * Rebuilds what the orders let through spent (orders.gated.v1, stamped with the router's clock at each decision,
   * read from the start of the trading day of `nowMs`):
   * the credit used today, and the duplicative window and message budget of the moment, so that neither starts empty
   * after a restart, a takeover or (on Lambda) a new delivery. Everything read is final: call with no decision
   * pending, each record once, `fresh` on the first call of a read.
   */
  restoreSpending(gated: Iterable<LogRecord>, nowMs: number, fresh: boolean): void {
    const { credit, duplicative, messageRate } = this.pretrade.spending
    if (fresh) {
      credit.clear()
      duplicative.clear()
      messageRate.clear()
    }
    for (const record of gated) {
      const decoded = decodeOrder(record.value)
      if (!decoded.ok) continue
      const order = decoded.value
      credit.restore(order.account_id, order.qty * order.price, record.timestamp, nowMs)
      // Only the last moments matter to these two: most of the day's orders are past them.
      if (nowMs - record.timestamp < Math.max(duplicative.windowMs, 1000)) {
        if (duplicative.windowMs > 0) duplicative.restore(order, record.timestamp, nowMs)
        messageRate.restore(order.account_id, record.timestamp, nowMs)
      }
    }
  }

  /** Where the trading day of `nowMs` began: orders.gated.v1 is read back from there. */
  tradingDayStart(nowMs: number): number {
    return this.credit.dayStart(nowMs)
  }

  /** Decides a batch of orders.v1 (order_ids and spending tentative: confirm once the outputs are durable). */
  route(batch: readonly LogRecord[], nowMs: number, keepAudits = false): RoutedBatch {
    return routeBatch(this.table, this.meter, this.decided, batch, nowMs, keepAudits, this.pretrade)
  }

  /** One order already decoded, decided as route() decides it (tentatively), with no record in or out. */
  decide(order: Order, nowMs: number): OrderDecision {
    return decideOrder(order, this.table, this.meter, this.decided, nowMs, this.pretrade)
  }

  /** The write of every decision so far is durable (`ids` and `steps` of them), or failed. */
  confirm(ids: number, steps: number): void {
    this.decided.confirm(ids)
    this.journal.confirm(steps)
  }

  rollback(): void {
    this.decided.rollback()
    this.journal.rollback()
  }

  /** Remembers the order_ids of router audits read back from audit.v1. */
  rememberFromAudit(records: readonly LogRecord[]): void {
    rememberDecided(this.decided, records)
  }

  private applyLimits(record: LogRecord, table: LimitsTable): void {
    const change = decodeLimitsRecord(record)
    this.stats.stateRecords += 1
    if (change.type === 'limits') table.apply(change.record)
    else if (change.type === 'deleted') table.remove(change.key)
    else if (change.type === 'unknown') table.markUnknown(change.key, change.scope, change.problem)
    if (change.type === 'unknown' || change.type === 'invalid') {
      this.noteProblem(record, change.type === 'unknown' ? `${change.scope}: ${change.problem}` : change.error)
    }
  }

  private applyPrice(record: LogRecord, table: ReferencePriceTable): void {
    const change = decodePriceRecord(record)
    this.stats.stateRecords += 1
    // The log's time, not the source's: a publisher's clock must not make a stale price look fresh.
    if (change.type === 'price') table.apply(change.record, record.timestamp)
    else if (change.type === 'removed') table.remove(change.symbol)
    const problem = change.type === 'invalid' ? change.error : change.type === 'removed' ? change.problem : undefined
    if (problem !== undefined) this.noteProblem(record, problem)
  }

  private noteProblem(record: LogRecord, problem: string): void {
    this.stats.stateProblems += 1
    this.stats.lastStateProblem = `${record.topic} ${record.partition}:${record.offset}: ${problem}`
  }

  private apply(record: LogRecord, change: ReturnType<typeof decodeStateRecord>, table: KillStateTable, meter: ThrottleMeter): void {
    this.stats.stateRecords += 1
    const problem = change.type === 'invalid' ? change.error : change.type === 'state' ? change.problem : undefined
    if (problem !== undefined) this.noteProblem(record, problem)
    if (change.type === 'state') {
      // A record that was not whole may tighten what the router enforces, never loosen it.
      if (change.problem !== undefined && !mayReplace(table.get(change.state.scope), change.state)) return
      table.apply(change.state)
      if (change.state.status !== 'THROTTLED') meter.forget(change.state.scope)
    } else if (change.type === 'deleted') {
      table.remove(change.scope)
      meter.forget(change.scope)
    }
    // A record that names no scope governs no order; it is counted above and dead-lettered by the aggregator.
  }
}
