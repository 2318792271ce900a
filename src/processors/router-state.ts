import { mayReplace } from '../domain/kill-state.js'
import { KillStateTable, type KillStateView } from '../domain/kill-state-table.js'
import { ThrottleMeter } from '../domain/throttle-meter.js'
import type { LogRecord } from '../log/port.js'
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

/**
 * What a router knows, without any I/O: the kill state it enforces (changed only by state records), the throttle
 * budget spent, and the order_ids it decided. The long-running router, the Lambda handler and the test driver all
 * hold one and feed it records; only `view` is handed to anything else.
 */
export class RouterState {
  private table = new KillStateTable()
  private meter = new ThrottleMeter()
  readonly decided: TentativeIds

  constructor(
    maxRememberedIds: number,
    readonly stats: StateRecordStats = { stateRecords: 0, stateProblems: 0, lastStateProblem: undefined },
  ) {
    this.decided = new TentativeIds(maxRememberedIds)
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

  /** One record of the state topic, as it follows the topic. */
  follow(record: LogRecord): void {
    this.apply(record, decodeStateRecord(record), this.table, this.meter)
  }

  /** Decides a batch of orders.v1 (order_ids remembered tentatively: confirm once the outputs are durable). */
  route(batch: readonly LogRecord[], nowMs: number, keepAudits = false): RoutedBatch {
    return routeBatch(this.table, this.meter, this.decided, batch, nowMs, keepAudits)
  }

  /** Remembers the order_ids of router audits read back from audit.v1. */
  rememberFromAudit(records: readonly LogRecord[]): void {
    rememberDecided(this.decided, records)
  }

  private apply(record: LogRecord, change: ReturnType<typeof decodeStateRecord>, table: KillStateTable, meter: ThrottleMeter): void {
    this.stats.stateRecords += 1
    const problem = change.type === 'invalid' ? change.error : change.type === 'state' ? change.problem : undefined
    if (problem !== undefined) {
      this.stats.stateProblems += 1
      this.stats.lastStateProblem = `${record.topic} ${record.partition}:${record.offset}: ${problem}`
    }
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
