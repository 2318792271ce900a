import { AGGREGATOR_PROGRESS_GROUP } from '../../topologies/aws/names.js'
import { APPROVALS, AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE, RISK_LIMITS } from '../../topologies/topics.js'
import { decodeJson } from '../contracts/decode.js'
import { killCommandSchema } from '../contracts/messages.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import type { EventLog, LogRecord } from '../log/port.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { AGGREGATOR_OUTPUTS, heldRequests, rememberHandled, vouchFor } from '../processors/aggregator.js'
import { VOUCHER_LOOKBACK_MS } from '../domain/operator-voucher.js'
import { TrailReader } from '../processors/trail-reader.js'
import { AggregatorState } from '../processors/aggregator-state.js'
import { createTopicWriter, readerOf } from '../processors/log-access.js'
import { openDelivery, withinBudget, type Delivery } from './delivery.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { publishMetrics } from './metrics.js'
import type { MskEvent } from './msk-event.js'
import { toLogRecords } from './msk-event.js'
import { sharedLog } from './shared-log.js'
import { stateCacheSink, type StateCacheSink } from './table-sink.js'
import { processEnvironment } from '../config/environment.js'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadFourEyesPolicy } from '../config/controls-topology.js'
import type { FourEyesPolicy } from '../domain/approval.js'

/**
 * How far back each invocation reads the commands handled before: an hour, not the in-process aggregator's week,
 * because every delivery reads it again before its first KILL is applied. An older re-sent UNKILL or THROTTLE is
 * still refused as stale (older than the state it would replace), and a re-sent KILL of a killed scope changes nothing.
 */
export const LAMBDA_COMMAND_MEMORY_MS = 60 * 60 * 1000

/** The bundle carries topologies/controls.json beside its code (src/cloud/bundle.ts); a checkout reads its own. */
const BUNDLED_CONTROLS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'controls.json')
let policy: FourEyesPolicy | undefined

function fourEyes(): FourEyesPolicy {
  policy ??= loadFourEyesPolicy(existsSync(BUNDLED_CONTROLS) ? BUNDLED_CONTROLS : undefined)
  return policy
}

export interface AggregateOutcome {
  readonly commands: number
  readonly applied: readonly (readonly [KillState, KillCommand])[]
}

/** The aggregator on Lambda: the single writer of killswitch.state.v1, one command batch at a time. */
export async function handler(event: MskEvent, context?: LambdaContext): Promise<{ commands: number }> {
  const outcome = await aggregateEvent(
    event,
    await sharedLog(),
    stateCacheSink(processEnvironment()),
    budgetOf(context),
  )
  const count = (action: string) => outcome.applied.filter(([, command]) => command.action === action).length
  publishMetrics('aggregator', {
    Kills: count('KILL'),
    Unkills: count('UNKILL'),
    Throttles: count('THROTTLE'),
  })
  return { commands: outcome.commands }
}

/**
 * One delivery, through the aggregator's own step: the state read to its end and the commands handled before
 * remembered, then the fresh commands applied and written, with the progress commit, atomically.
 */
export async function aggregateEvent(
  event: MskEvent,
  log: EventLog,
  cache: StateCacheSink,
  budgetMs: number,
  /** Four eyes: the bundle's controls.json (topologies/controls.json in a checkout). */
  policy: FourEyesPolicy = fourEyes(),
): Promise<AggregateOutcome> {
  const records = toLogRecords(event, KILL_COMMANDS)
  if (records.length === 0) return { commands: 0, applied: [] }
  const reader = readerOf(log)
  const writer = createTopicWriter(log, AGGREGATOR_OUTPUTS)
  const apply = async (beforeWrite: () => void) => {
    // The writer first: registering it finishes or fences an earlier attempt's transaction, so the state and the
    // memory read next include what it committed.
    const delivery = await openDelivery(reader, writer, AGGREGATOR_PROGRESS_GROUP, KILL_COMMANDS, records)
    const state = new AggregatorState(policy)
    state.load((await reader.readCompacted(KILL_STATE)).records.values())
    state.loadLimits((await reader.readCompacted(RISK_LIMITS)).records.values())
    state.loadApprovals(await heldRequests(reader, policy))
    const trail = new TrailReader(reader)
    try {
      // The trail's last hour first, so that the commands read back next that were taken on a voucher are spent again.
      await trail.catchUp(Date.now() - VOUCHER_LOOKBACK_MS, (entries) => state.vouch(entries))
      await rememberHandled(reader, state, Date.now() - LAMBDA_COMMAND_MEMORY_MS, AGGREGATOR_PROGRESS_GROUP)
      if (delivery.fresh.length === 0) return { delivery, applied: [] }
      return await applyFresh(state, trail, delivery, beforeWrite)
    } finally {
      // Not awaited: a consumer still opening past its deadline must not hold the delivery (its KILLs) any longer.
      void trail.close()
    }
  }
  const applyFresh = async (state: AggregatorState, trail: TrailReader, delivery: Delivery, beforeWrite: () => void) => {
    const coverage = await vouchFor(state, trail, delivery.fresh, Date.now())
    const output = state.apply(delivery.fresh, Date.now(), coverage)
    beforeWrite()
    await writer.write(
      {
        [KILL_STATE]: output.states,
        [RISK_LIMITS]: output.limits,
        [APPROVALS]: output.approvals,
        // Expiry is judged only when a delivery comes: routers enforce what a change replaced past its expiry anyway.
        [KILL_COMMANDS]: output.reverts,
        [AUDIT]: output.audits,
        [DEAD_LETTERS]: output.deadLetters,
      },
      delivery.commit,
    )
    return { delivery, applied: output.applied }
  }
  const { delivery, applied } = await withinBudget(budgetMs, `Applying ${records.length} records of ${KILL_COMMANDS}`, apply)
  // The cache follows the topic, never leads it: written only after the state is durable in Kafka.
  // A batch delivered again may have failed at this very write, after its states were committed:
  // the batch's scopes then go to the cache again, as the topic has them now.
  const states = delivery.redelivered.length > 0 ? await currentStates(log, records) : applied.map(([state]) => state)
  await cache.putStates(states)
  return { commands: records.length, applied }
}

async function currentStates(log: EventLog, records: readonly LogRecord[]): Promise<KillState[]> {
  const view = await log.readCompacted(KILL_STATE)
  const states = new Map<string, KillState>()
  for (const record of records) {
    const scope = decodeJson(killCommandSchema, record.value)
    const current = scope.ok ? view.records.get(scope.value.scope) : undefined
    const change = current === undefined ? undefined : decodeStateRecord(current)
    if (change?.type === 'state') states.set(change.state.scope, change.state)
  }
  return [...states.values()]
}
