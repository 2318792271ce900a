import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { killStateSchema } from '../contracts/messages.js'
import { mayReplace } from '../domain/kill-state.js'
import { applyCommandBatch, rememberCommands } from './aggregator-step.js'
import type { EventLog, LogRecord, ProduceRecord, TopicPartitionOffset } from '../log/port.js'
import { AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE } from '../../topologies/topics.js'
import { newConnectivity } from './connectivity.js'
import type { Processor } from './processor.js'
import { markConnected, supervise } from './supervise.js'
import { TentativeIds } from './tentative-ids.js'
import { deadLetter, decodeStateRecord, jsonRecord } from './records.js'
import { readRange } from './read-range.js'

export const AGGREGATOR_GROUP = 'riskctl-aggregator'
/** How far back a restarted aggregator remembers the commands it handled (default: a week). */
export const DEFAULT_COMMAND_MEMORY_MS = 7 * 24 * 60 * 60 * 1000

export interface AggregatorStats {
  ready: boolean
  commands: number
  applied: number
  duplicates: number
  refused: number
  deadLetters: number
  /** State records the aggregator did not write, replaced by what the routers enforce for them. */
  repaired: number
}

export interface AggregatorOptions {
  readonly onApplied?: (state: KillState, command: KillCommand) => void
  readonly now?: () => number
  readonly commandMemoryMs?: number
}

/**
 * The single writer of killswitch.state.v1. It starts from the compacted state, consumes every
 * command in order, and writes the new states, the refusals (to the audit trail) and its group
 * position in one atomic write, so a command is applied exactly once even across a kill -9.
 */
export class Aggregator implements Processor {
  readonly name = 'aggregator'
  readonly stats: AggregatorStats = {
    ready: false,
    commands: 0,
    applied: 0,
    duplicates: 0,
    refused: 0,
    deadLetters: 0,
    repaired: 0,
  }
  private readonly current = new Map<string, KillState>()
  readonly connectivity = newConnectivity()
  private readonly seen = new TentativeIds(1_000_000)
  private readonly now: () => number
  private readonly commandMemoryMs: number

  constructor(
    private readonly log: EventLog,
    private readonly options: AggregatorOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.commandMemoryMs = options.commandMemoryMs ?? DEFAULT_COMMAND_MEMORY_MS
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  /** One run from the compacted state and the group's commit; a failed write is redone by the next. */
  private async attempt(signal: AbortSignal): Promise<void> {
    this.current.clear()
    this.seen.rollback()
    const commit = { groupId: AGGREGATOR_GROUP, offsets: [] }
    await this.log.prepareCommit?.(commit)
    const view = await this.log.readCompacted(KILL_STATE)
    const repairs: StateRepair[] = []
    // Whole records first: a bad record beside a good one for the same scope is repaired away, not enforced.
    const records = [...view.records.values()].map((record) => ({ record, change: decodeStateRecord(record) }))
    for (const { change } of records) if (change.type === 'state' && change.problem === undefined) this.current.set(change.state.scope, change.state)
    for (const { record } of records) this.followState(record, repairs)
    await this.rebuildMemory()
    const states = await this.log.consumer({ topics: [KILL_STATE], from: { type: 'offsets', offsets: view.endOffsets } })
    const commands = await this.log
      .consumer({ topics: [KILL_COMMANDS], groupId: AGGREGATOR_GROUP, from: { type: 'earliest' } })
      .catch(async (error: unknown) => {
        await states.close()
        throw error
      })
    this.stats.ready = true
    markConnected(this.connectivity)
    try {
      while (!signal.aborted) {
        const batch = await commands.poll({ maxRecords: 500, maxWaitMs: 50 })
        // Read after the commands: a state record appended before a command is known when the command is judged.
        for (const record of await states.poll({ maxRecords: 1000, maxWaitMs: 0 })) this.followState(record, repairs)
        if (batch.length === 0 && repairs.length === 0) continue
        await this.applyBatch(batch, commands.positions(), repairs.splice(0))
      }
    } finally {
      await commands.close()
      await states.close()
    }
  }

  /**
   * What was applied before a restart is remembered after it: every command of the last commandMemoryMs up to
   * the group's commit, read back from killswitch.commands.v1. A re-sent command is then a duplicate, however
   * often the aggregator restarted in between.
   */
  private async rebuildMemory(): Promise<void> {
    const committed = await this.log.committedOffsets(AGGREGATOR_GROUP, KILL_COMMANDS)
    if (committed.length === 0) return
    const from = { type: 'timestamp' as const, timestamp: this.now() - this.commandMemoryMs }
    await readRange(this.log, KILL_COMMANDS, from, (records) => rememberCommands(this.seen, records), committed)
    this.seen.confirm()
  }

  /**
   * The state topic as the aggregator reads it back. A record it did not write (one that cannot be read, or
   * lacks fields) is enforced by the routers as decodeStateRecord reads it, failing closed; the aggregator,
   * its single writer, replaces it with a whole record of that reading and dead-letters the original.
   */
  private followState(record: LogRecord, repairs: StateRepair[]): void {
    const change = decodeStateRecord(record)
    if (change.type === 'state') {
      if (change.problem === undefined) {
        if (!this.current.has(change.state.scope)) this.current.set(change.state.scope, change.state)
        return
      }
      if (mayReplace(this.current.get(change.state.scope), change.state)) this.current.set(change.state.scope, change.state)
      repairs.push({ record, problem: change.problem, state: change.state })
    } else if (change.type === 'deleted') {
      this.current.delete(change.scope)
    } else if (change.type === 'invalid') {
      repairs.push({ record, problem: change.error, state: undefined })
    }
  }

  private async applyBatch(
    batch: readonly LogRecord[],
    positions: readonly TopicPartitionOffset[],
    repairs: readonly StateRepair[],
  ): Promise<void> {
    const now = this.now()
    const output = applyCommandBatch(this.current, this.seen, batch, now)
    const repaired: ProduceRecord[] = []
    for (const repair of repairs) {
      output.deadLetters.push(deadLetter(repair.record, repair.problem, now))
      const { record, state } = repair
      // Any other key goes (never a scope's own, which only whole records use): the scope's state lives under the
      // scope's own key, once, and a restart does not meet the bad record again.
      if (record.key !== null && record.key !== state?.scope) {
        repaired.push({ key: record.key, value: null, timestamp: now })
      }
      if (state === undefined) continue
      // Under the scope's own key the bad record is now the scope's latest, so what is known goes on top of it
      // (the tighter of the two); under another key, the state it tightened to, if nothing newer has come since.
      const known = this.current.get(state.scope)
      const whole = record.key === state.scope ? known : known === state ? state : undefined
      if (whole !== undefined && killStateSchema.safeParse(whole).success) repaired.push(jsonRecord(whole.scope, whole, now))
    }
    await this.log.write(
      [
        { topic: KILL_STATE, records: [...repaired, ...output.states] },
        { topic: AUDIT, records: output.audits },
        { topic: DEAD_LETTERS, records: output.deadLetters },
      ],
      { groupId: AGGREGATOR_GROUP, offsets: positions },
    )
    this.seen.confirm()
    this.stats.commands += batch.length
    this.stats.applied += output.applied.length
    this.stats.duplicates += output.duplicates
    this.stats.refused += output.refused
    this.stats.deadLetters += output.deadLetters.length
    this.stats.repaired += repairs.length
    for (const [state, command] of output.applied) this.options.onApplied?.(state, command)
  }
}

interface StateRepair {
  readonly record: LogRecord
  readonly problem: string
  /** The state the routers enforce for it; undefined when it names no scope. */
  readonly state: KillState | undefined
}
