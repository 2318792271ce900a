import { ROUTER_PROGRESS_GROUP } from '../../../topologies/aws/names.js'
import { ORDERS } from '../../../topologies/topics.js'
import type { AuditRecord } from '../../domain/audit-record.js'
import type { EventLog } from '../../log/port.js'
import { Router } from '../../processors/router.js'
import { auditsOfDecided } from './audit-readback.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { publishMetrics } from './metrics.js'
import type { MskEvent } from './msk-event.js'
import { toLogRecords } from './msk-event.js'
import { runOverBatch } from './run-batch.js'
import { sharedLog } from './shared-log.js'
import { auditIndexSink, type AuditIndexSink } from './table-sink.js'

export interface RouteOutcome {
  readonly orders: number
  /** Orders of the batch that an earlier delivery of it had already decided. */
  readonly redelivered: number
  readonly audits: readonly AuditRecord[]
}

/** The router on Lambda: each orders.v1 batch is decided against the state read just before it. */
export async function handler(event: MskEvent, context?: LambdaContext): Promise<{ orders: number }> {
  const outcome = await routeEvent(event, await sharedLog(), auditIndexSink(process.env), budgetOf(context))
  const count = (decision: string) => outcome.audits.filter((audit) => audit.decision === decision).length
  publishMetrics('router', {
    Allowed: count('ALLOW'),
    Dropped: count('DROP'),
    Duplicates: count('DUPLICATE'),
    DeadLetters: outcome.orders - outcome.redelivered - outcome.audits.length,
  })
  return { orders: outcome.orders }
}

export async function routeEvent(
  event: MskEvent,
  log: EventLog,
  index: AuditIndexSink,
  budgetMs: number,
): Promise<RouteOutcome> {
  const records = toLogRecords(event, ORDERS)
  const audits: AuditRecord[] = []
  const run = { log, topic: ORDERS, records, budgetMs, progressGroup: ROUTER_PROGRESS_GROUP }
  const started = Date.now()
  const redelivered = await runOverBatch(run, (batchLog) => {
    return new Router(batchLog, { onBatch: (batch) => audits.push(...batch), rememberFromAudit: false })
  })
  // The index follows the audit topic, never leads it: written once the batch is durable in Kafka.
  // What an earlier delivery decided goes in again, from the topic: that delivery may have failed here.
  const repaired = redelivered.length > 0 ? await auditsOfDecided(log, redelivered, started + budgetMs) : []
  await index.putAudits([...repaired, ...audits])
  return { orders: records.length, redelivered: redelivered.length, audits }
}
