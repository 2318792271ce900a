import type { AuditRecord, KillCommand, KillState } from '../contracts/messages.js'
import { killCommandSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { applyCommand } from '../domain/kill-state.js'
import { parseScope } from '../domain/scope.js'
import type { EventLog, LogRecord, ProduceRecord, TopicPartitionOffset } from '../log/port.js'
import { AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE } from '../../topologies/topics.js'
import { newConnectivity } from './connectivity.js'
import type { Processor } from './processor.js'
import { markConnected, supervise } from './supervise.js'
import { TentativeIds } from './tentative-ids.js'
import { deadLetter, decodeStateRecord, jsonRecord } from './records.js'

export const AGGREGATOR_GROUP = 'riskctl-aggregator'
export const AGGREGATOR_SERVICE = 'aggregator'

export interface AggregatorStats {
  ready: boolean
  commands: number
  applied: number
  duplicates: number
  refused: number
  deadLetters: number
}

export interface AggregatorOptions {
  readonly onApplied?: (state: KillState, command: KillCommand) => void
  readonly now?: () => number
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
  }
  private readonly current = new Map<string, KillState>()
  readonly connectivity = newConnectivity()
  private readonly seen = new TentativeIds(100_000)
  private readonly now: () => number

  constructor(
    private readonly log: EventLog,
    private readonly options: AggregatorOptions = {},
  ) {
    this.now = options.now ?? Date.now
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  /** One run from the compacted state and the group's commit; a failed write is redone by the next. */
  private async attempt(signal: AbortSignal): Promise<void> {
    this.current.clear()
    this.seen.rollback()
    const view = await this.log.readCompacted(KILL_STATE)
    for (const record of view.records.values()) {
      const change = decodeStateRecord(record)
      if (change.type === 'state') this.current.set(change.state.scope, change.state)
    }
    const commands = await this.log.consumer({
      topics: [KILL_COMMANDS],
      groupId: AGGREGATOR_GROUP,
      from: { type: 'earliest' },
    })
    this.stats.ready = true
    markConnected(this.connectivity)
    try {
      while (!signal.aborted) {
        const batch = await commands.poll({ maxRecords: 500, maxWaitMs: 50 })
        if (batch.length === 0) continue
        await this.applyBatch(batch, commands.positions())
      }
    } finally {
      await commands.close()
    }
  }

  private async applyBatch(
    batch: readonly LogRecord[],
    positions: readonly TopicPartitionOffset[],
  ): Promise<void> {
    const now = this.now()
    const states: ProduceRecord[] = []
    const refusals: ProduceRecord[] = []
    const dead: ProduceRecord[] = []
    const applied: [KillState, KillCommand][] = []
    for (const record of batch) {
      this.stats.commands += 1
      const decoded = decodeJson(killCommandSchema, record.value)
      if (!decoded.ok) {
        dead.push(deadLetter(record, decoded.error, now))
        continue
      }
      const command = decoded.value
      const outcome = applyCommand(this.current, (id) => this.seen.has(id), command)
      this.seen.add(command.cmd_id)
      if (outcome.type === 'duplicate') {
        this.stats.duplicates += 1
      } else if (outcome.type === 'refused') {
        this.stats.refused += 1
        refusals.push(jsonRecord(command.cmd_id, this.refusalAudit(command, outcome.reason, now), now))
      } else {
        this.current.set(outcome.state.scope, outcome.state)
        states.push(jsonRecord(outcome.state.scope, outcome.state, now))
        applied.push([outcome.state, command])
      }
    }
    await this.log.write(
      [
        { topic: KILL_STATE, records: states },
        { topic: AUDIT, records: refusals },
        { topic: DEAD_LETTERS, records: dead },
      ],
      { groupId: AGGREGATOR_GROUP, offsets: positions },
    )
    this.seen.confirm()
    this.stats.applied += applied.length
    this.stats.deadLetters += dead.length
    for (const [state, command] of applied) this.options.onApplied?.(state, command)
  }

  /** A refused command still leaves a trace: who asked, for what, and why it was not applied. */
  private refusalAudit(command: KillCommand, reason: string, now: number): AuditRecord {
    const scope = parseScope(command.scope)
    return {
      ts: now,
      decision: 'REFUSED',
      order_id: '',
      account_id: scope.ok && scope.scope.kind === 'ACCOUNT' ? scope.scope.id : '',
      symbol: scope.ok && scope.scope.kind === 'SYMBOL' ? scope.scope.id : '',
      strategy: scope.ok && scope.scope.kind === 'STRATEGY' ? scope.scope.id : '',
      scope_matches: [command.scope],
      killswitch_status: this.current.get(command.scope)?.status ?? 'ACTIVE',
      reason: `REFUSED ${command.action} ${command.scope} from ${command.triggered_by}: ${reason}`,
      corr_id: command.corr_id,
      service: AGGREGATOR_SERVICE,
    }
  }
}
