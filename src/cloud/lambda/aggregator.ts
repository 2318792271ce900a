import { AGGREGATOR_PROGRESS_GROUP } from '../../../topologies/aws/names.js'
import { KILL_COMMANDS, KILL_STATE } from '../../../topologies/topics.js'
import { decodeJson } from '../../contracts/decode.js'
import { killCommandSchema } from '../../contracts/messages.js'
import type { KillCommand } from '../../domain/kill-command.js'
import type { KillState } from '../../domain/kill-status.js'
import type { EventLog, LogRecord } from '../../log/port.js'
import { decodeStateRecord } from '../../processors/records.js'
import { Aggregator } from '../../processors/aggregator.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { publishMetrics } from './metrics.js'
import type { MskEvent } from './msk-event.js'
import { toLogRecords } from './msk-event.js'
import { runOverBatch } from './run-batch.js'
import { sharedLog } from './shared-log.js'
import { stateCacheSink, type StateCacheSink } from './table-sink.js'

export interface AggregateOutcome {
  readonly commands: number
  readonly applied: readonly (readonly [KillState, KillCommand])[]
}

/** The aggregator on Lambda: the single writer of killswitch.state.v1, one command batch at a time. */
export async function handler(event: MskEvent, context?: LambdaContext): Promise<{ commands: number }> {
  const outcome = await aggregateEvent(
    event,
    await sharedLog(),
    stateCacheSink(process.env),
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

export async function aggregateEvent(
  event: MskEvent,
  log: EventLog,
  cache: StateCacheSink,
  budgetMs: number,
): Promise<AggregateOutcome> {
  const records = toLogRecords(event, KILL_COMMANDS)
  const applied: [KillState, KillCommand][] = []
  const run = { log, topic: KILL_COMMANDS, records, budgetMs, progressGroup: AGGREGATOR_PROGRESS_GROUP }
  const redelivered = await runOverBatch(run, (batchLog) => {
    return new Aggregator(batchLog, { onApplied: (state, command) => applied.push([state, command]) })
  })
  // The cache follows the topic, never leads it: written only after the state is durable in Kafka.
  // A batch delivered again may have failed at this very write, after its states were committed:
  // the batch's scopes then go to the cache again, as the topic has them now.
  const states = redelivered.length > 0 ? await currentStates(log, records) : applied.map(([state]) => state)
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
