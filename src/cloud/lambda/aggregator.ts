import { KILL_COMMANDS, KILL_STATE } from '../../../topologies/topics.js'
import type { KillCommand, KillState } from '../../contracts/messages.js'
import type { EventLog } from '../../log/port.js'
import { Aggregator } from '../../processors/aggregator.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { publishMetrics } from './metrics.js'
import type { MskEvent } from './msk-event.js'
import { toLogRecords } from './msk-event.js'
import { unappliedCommands } from './redelivery.js'
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
  // One read serves both the redelivery check and the aggregator, so they judge the same state.
  const state = await log.readCompacted(KILL_STATE)
  const fresh = unappliedCommands(records, state)
  const applied: [KillState, KillCommand][] = []
  await runOverBatch({ log, topic: KILL_COMMANDS, records: fresh, budgetMs, state }, (batchLog) => {
    return new Aggregator(batchLog, { onApplied: (state, command) => applied.push([state, command]) })
  })
  // The cache follows the topic, never leads it: written only after the state is durable in Kafka.
  await cache.putStates(applied.map(([state]) => state))
  return { commands: records.length, applied }
}
