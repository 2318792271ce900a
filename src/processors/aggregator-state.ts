import { killStateSchema } from '../contracts/messages.js'
import type { KillCommand } from '../domain/kill-command.js'
import { mayReplace } from '../domain/kill-state.js'
import type { KillState } from '../domain/kill-status.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { KILL_STATE } from '../../topologies/topics.js'
import { applyCommandBatch, rememberCommands } from './aggregator-step.js'
import { TentativeIds } from './tentative-ids.js'
import { deadLetter, decodeStateRecord, encode } from './topic-codec.js'

/** What one step of the aggregator writes, atomically with its group's position. */
export interface AggregatorOutputs {
  readonly states: readonly ProduceRecord[]
  readonly audits: readonly ProduceRecord[]
  readonly deadLetters: readonly ProduceRecord[]
  readonly applied: readonly (readonly [KillState, KillCommand])[]
  readonly duplicates: number
  readonly refused: number
  /** State records it found that it had not written, replaced and dead-lettered. */
  readonly repaired: number
}

interface StateRepair {
  readonly record: LogRecord
  readonly problem: string
  /** The state the routers enforce for it; undefined when it names no scope. */
  readonly state: KillState | undefined
}

/**
 * What the aggregator knows, without any I/O: every scope's current state, the commands it has handled, and the
 * state records it must repair. The long-running aggregator, the Lambda handler and the test driver all hold one.
 */
export class AggregatorState {
  private readonly current = new Map<string, KillState>()
  private readonly memory = new TentativeIds(1_000_000)
  private repairs: StateRepair[] = []

  /** From the compacted state topic. Whole records first: a bad record beside a good one is repaired, not enforced. */
  load(records: Iterable<LogRecord>): void {
    this.current.clear()
    this.memory.rollback()
    this.repairs = []
    const changes = [...records].map((record) => ({ record, change: decodeStateRecord(record) }))
    for (const { change } of changes) if (change.type === 'state' && change.problem === undefined) this.current.set(change.state.scope, change.state)
    for (const { record, change } of changes) this.follow(record, change)
  }

  /** The commands handled before (read back from killswitch.commands.v1): a re-sent one is a duplicate. */
  remember(records: readonly LogRecord[]): void {
    rememberCommands(this.memory, records)
    this.memory.confirm()
  }

  get hasRepairs(): boolean {
    return this.repairs.length > 0
  }

  /**
   * The state topic as the aggregator reads it back. A record it did not write (one that cannot be read, or
   * lacks fields) is enforced by the routers as decodeStateRecord reads it, failing closed; the aggregator,
   * its single writer, replaces it with a whole record of that reading and dead-letters the original.
   */
  follow(record: LogRecord, change = decodeStateRecord(record)): void {
    if (change.type === 'state') {
      if (change.problem === undefined) {
        if (!this.current.has(change.state.scope)) this.current.set(change.state.scope, change.state)
        return
      }
      if (mayReplace(this.current.get(change.state.scope), change.state)) this.current.set(change.state.scope, change.state)
      this.repairs.push({ record, problem: change.problem, state: change.state })
    } else if (change.type === 'deleted') {
      this.current.delete(change.scope)
    } else if (change.type === 'invalid') {
      this.repairs.push({ record, problem: change.error, state: undefined })
    }
  }

  /** Applies a batch of commands and the pending repairs (memory tentative until `confirm`). */
  apply(batch: readonly LogRecord[], nowMs: number): AggregatorOutputs {
    const output = applyCommandBatch(this.current, this.memory, batch, nowMs)
    const repairs = this.repairs.splice(0)
    const repaired: ProduceRecord[] = []
    for (const repair of repairs) {
      output.deadLetters.push(deadLetter(repair.record, repair.problem, nowMs))
      const { record, state } = repair
      // Any other key goes (never a scope's own, which only whole records use): the scope's state lives under the
      // scope's own key, once, and a restart does not meet the bad record again.
      if (record.key !== null && record.key !== state?.scope) repaired.push({ key: record.key, value: null, timestamp: nowMs })
      if (state === undefined) continue
      // Under the scope's own key the bad record is now the scope's latest, so what is known goes on top of it
      // (the tighter of the two); under another key, the state it tightened to, if nothing newer has come since.
      const known = this.current.get(state.scope)
      const whole = record.key === state.scope ? known : known === state ? state : undefined
      if (whole !== undefined && killStateSchema.safeParse(whole).success) repaired.push(encode(KILL_STATE, whole, { timestamp: nowMs }))
    }
    return { ...output, states: [...repaired, ...output.states], repaired: repairs.length }
  }

  confirm(): void {
    this.memory.confirm()
  }

  rollback(): void {
    this.memory.rollback()
  }

  /** The current state of each of these scopes. */
  statesOf(scopes: Iterable<string>): KillState[] {
    const states: KillState[] = []
    for (const scope of new Set(scopes)) {
      const state = this.current.get(scope)
      if (state !== undefined) states.push(state)
    }
    return states
  }
}
