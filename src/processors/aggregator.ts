import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { AGGREGATOR_GROUP } from '../../topologies/groups.js'
import { APPROVALS, AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE, RISK_LIMITS } from '../../topologies/topics.js'
import { FOUR_EYES_OFF, type FourEyesPolicy } from '../domain/approval.js'
import type { TrailCoverage } from '../domain/operator-voucher.js'
import { isRiskctlError } from '../errors.js'
import { AggregatorState } from './aggregator-state.js'
import { newConnectivity } from './connectivity.js'
import { processorLog, type ProcessorLog } from './log-access.js'
import type { Processor } from './processor.js'
import { readRange } from './read-range.js'
import { markConnected, supervise } from './supervise.js'
import { TrailReader } from './trail-reader.js'
import { NO_TRAIL, VOUCHER_LOOKBACK_MS } from '../domain/operator-voucher.js'

/** How far back a restarted aggregator remembers the commands it handled (default: a week). */
export const DEFAULT_COMMAND_MEMORY_MS = 7 * 24 * 60 * 60 * 1000
/**
 * The aggregator is the single writer of killswitch.state.v1, risk_limits.v1 and killswitch.approvals.v1; it also audits and dead-letters
 * commands, and writes the REVERT_LIMITS of a temporary change at its expiry to killswitch.commands.v1.
 */
export const AGGREGATOR_OUTPUTS = [KILL_STATE, RISK_LIMITS, APPROVALS, KILL_COMMANDS, AUDIT, DEAD_LETTERS] as const
export type AggregatorOutput = (typeof AGGREGATOR_OUTPUTS)[number]

export interface AggregatorStats {
  ready: boolean
  commands: number
  applied: number
  /** REVERT_LIMITS written for expired temporary changes. */
  reverts: number
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
  /** Four-eyes unkill: off unless the controls topology turns it on. */
  readonly fourEyes?: FourEyesPolicy | undefined
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
    reverts: 0,
    duplicates: 0,
    refused: 0,
    deadLetters: 0,
    repaired: 0,
  }
  private readonly state: AggregatorState
  readonly connectivity = newConnectivity()
  private readonly now: () => number
  private readonly commandMemoryMs: number
  private readonly trail: TrailReader

  constructor(
    private readonly log: ProcessorLog<AggregatorOutput>,
    private readonly options: AggregatorOptions = {},
  ) {
    this.state = new AggregatorState(options.fourEyes)
    this.now = options.now ?? Date.now
    this.commandMemoryMs = options.commandMemoryMs ?? DEFAULT_COMMAND_MEMORY_MS
    this.trail = new TrailReader(log.reader)
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  /** One run from the compacted state and the group's commit; a failed write is redone by the next. */
  private async attempt(signal: AbortSignal): Promise<void> {
    const { reader, writer } = this.log
    await writer.prepare({ groupId: AGGREGATOR_GROUP, offsets: [] })
    const view = await reader.readCompacted(KILL_STATE)
    this.state.load(view.records.values())
    const limits = await reader.readCompacted(RISK_LIMITS)
    this.state.loadLimits(limits.records.values())
    this.state.loadApprovals(await heldRequests(reader, this.options.fourEyes ?? FOUR_EYES_OFF))
    // The trail's last hour first, so that the commands read back next that were taken on a voucher are spent again.
    await this.trail.catchUp(this.now() - VOUCHER_LOOKBACK_MS, (records) => this.state.vouch(records))
    await rememberHandled(reader, this.state, this.now() - this.commandMemoryMs)
    const states = await reader.consumer({
      topics: [KILL_STATE, RISK_LIMITS],
      from: { type: 'offsets', offsets: [...view.endOffsets, ...limits.endOffsets] },
    })
    const commands = await reader
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
        for (const record of await states.poll({ maxRecords: 1000, maxWaitMs: 0 })) this.state.followRecord(record)
        // Expiry is judged on every pass, on this clock, and on the first pass for what expired while it was down.
        if (batch.length === 0 && !this.state.hasRepairs && !this.state.hasDueReverts(this.now())) continue
        await this.applyBatch(batch, commands.positions())
      }
    } finally {
      await commands.close()
      await states.close()
      await this.trail.close()
    }
  }

  private async applyBatch(batch: readonly LogRecord[], positions: readonly TopicPartitionOffset[]): Promise<void> {
    const coverage = await vouchFor(this.state, this.trail, batch, this.now())
    const output = this.state.apply(batch, this.now(), coverage)
    try {
      await this.log.writer.write(
        {
          [KILL_STATE]: output.states,
          [RISK_LIMITS]: output.limits,
          [APPROVALS]: output.approvals,
          [KILL_COMMANDS]: output.reverts,
          [AUDIT]: output.audits,
          [DEAD_LETTERS]: output.deadLetters,
        },
        { groupId: AGGREGATOR_GROUP, offsets: positions },
      )
    } catch (error) {
      this.state.rollback()
      throw error
    }
    this.state.confirm()
    this.stats.commands += batch.length
    this.stats.applied += output.applied.length + output.limitsApplied.length
    this.stats.reverts += output.reverts.length
    this.stats.duplicates += output.duplicates
    this.stats.refused += output.refused
    this.stats.deadLetters += output.deadLetters.length
    this.stats.repaired += output.repaired
    for (const [state, command] of output.applied) this.options.onApplied?.(state, command)
  }
}

/**
 * What was applied before a restart is remembered after it: every command since `fromMs` up to the group's
 * commit, read back from killswitch.commands.v1. A re-sent command is then a duplicate, however often the
 * aggregator restarted in between (or however many Lambda invocations ran). What lies past the commit is still to
 * be handled; a REVERT_LIMITS there was asked for already, and is not asked for twice.
 */
export async function rememberHandled(
  reader: ProcessorLog<AggregatorOutput>['reader'],
  state: AggregatorState,
  fromMs: number,
  /** The group whose commit marks what was handled: the aggregator's own, or a Lambda function's progress group. */
  groupId: string = AGGREGATOR_GROUP,
): Promise<void> {
  const committed = await reader.committedOffsets(groupId, KILL_COMMANDS)
  if (committed.length > 0) {
    await readRange(reader, KILL_COMMANDS, { type: 'timestamp', timestamp: fromMs }, (records) => state.remember(records, Date.now()), committed)
  }
  const unhandled = committed.length > 0 ? ({ type: 'offsets', offsets: committed } as const) : ({ type: 'earliest' } as const)
  await readRange(reader, KILL_COMMANDS, unhandled, (records) => state.rememberPending(records))
}

/**
 * The held requests. A log set up before four eyes existed has no approvals topic: with the policy off there is
 * nothing to hold and nothing held, so KILLs go on being applied; with it on, the aggregator cannot hold an UNKILL
 * and waits, failing closed, until `riskctl topics create` adds it.
 */
export async function heldRequests(reader: ProcessorLog<AggregatorOutput>['reader'], policy: FourEyesPolicy): Promise<Iterable<LogRecord>> {
  try {
    return (await reader.readCompacted(APPROVALS)).records.values()
  } catch (error) {
    if (isRiskctlError(error) && error.code === 'RISKCTL_TOPIC_NOT_FOUND' && !policy.unkill) return []
    throw error
  }
}

/**
 * Reads the operator-action trail as far as this batch's commands need it (operator-voucher.ts). The commands were
 * read first, and each was written together with its entry, so the trail read to its end now holds every entry they
 * have.
 */
export async function vouchFor(state: AggregatorState, trail: TrailReader, batch: readonly LogRecord[], nowMs: number): Promise<TrailCoverage> {
  if (state.trailNeededFrom(batch, nowMs) === undefined) return NO_TRAIL
  // Opened the first time from the furthest back any command can need (the lookback): the reader is then kept and
  // reads on from where it was, never from a time again.
  return trail.catchUp(nowMs - VOUCHER_LOOKBACK_MS, (records) => state.vouch(records))
}

/** An aggregator on this log, handed only what it may do: read anything, write the state, audit and dead letters. */
export function createAggregator(log: EventLog, options: AggregatorOptions = {}): Aggregator {
  return new Aggregator(processorLog(log, AGGREGATOR_OUTPUTS), options)
}
