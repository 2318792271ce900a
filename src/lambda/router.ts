import {
  checkMetric,
  CREDIT_WARNING_PERCENTS,
  creditWarningMetric,
  DROPPING_CHECKS,
  ROUTER_PROGRESS_GROUP,
} from '../../topologies/aws/names.js'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import { loadLimitsTopology, type LimitsTopology } from '../config/limits-topology.js'
import type { AuditRecord } from '../domain/audit-record.js'
import type { CreditWarningSignal } from '../domain/risk-signal.js'
import type { EventLog } from '../log/port.js'
import { createTopicWriter, readerOf } from '../processors/log-access.js'
import { readRange } from '../processors/read-range.js'
import { DEFAULT_MAX_REMEMBERED_IDS, ROUTER_OUTPUTS } from '../processors/router.js'
import { ROUTER_STATE_TOPICS, RouterState } from '../processors/router-state.js'
import { routedOutputs } from '../processors/router-writes.js'
import { auditsOfDecided } from './audit-readback.js'
import { openDelivery, withinBudget } from './delivery.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { publishMetrics } from './metrics.js'
import type { MskEvent } from './msk-event.js'
import { toLogRecords } from './msk-event.js'
import { sharedLog } from './shared-log.js'
import { auditIndexSink, type AuditIndexSink } from './table-sink.js'
import { processEnvironment } from '../config/environment.js'

/** The bundle carries topologies/limits.json beside its code (src/cloud/bundle.ts); a checkout reads its own. */
const BUNDLED_LIMITS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'limits.json')
let limitsTopology: LimitsTopology | undefined

function limits(): LimitsTopology {
  limitsTopology ??= loadLimitsTopology(existsSync(BUNDLED_LIMITS) ? BUNDLED_LIMITS : undefined)
  return limitsTopology
}

export interface RouteOutcome {
  readonly orders: number
  /** Orders of the batch that an earlier delivery of it had already decided. */
  readonly redelivered: number
  readonly audits: readonly AuditRecord[]
  /** Credit warnings (risk_signals.v1) written with the batch's decisions. */
  readonly creditWarnings: readonly CreditWarningSignal[]
}

/** The router on Lambda: each orders.v1 batch is decided against the state read just before it. */
export async function handler(event: MskEvent, context?: LambdaContext): Promise<{ orders: number }> {
  const outcome = await routeEvent(event, await sharedLog(), auditIndexSink(processEnvironment()), budgetOf(context))
  const count = (decision: string) => outcome.audits.filter((audit) => audit.decision === decision).length
  const byCheck = Object.fromEntries(
    DROPPING_CHECKS.map((check) => [checkMetric(check), outcome.audits.filter((audit) => audit.check === check).length]),
  )
  publishMetrics('router', {
    Allowed: count('ALLOW'),
    Dropped: count('DROP'),
    Duplicates: count('DUPLICATE'),
    DeadLetters: outcome.orders - outcome.redelivered - outcome.audits.length,
    ...Object.fromEntries(
      CREDIT_WARNING_PERCENTS.map((percent) => [
        creditWarningMetric(percent),
        outcome.creditWarnings.filter((warning) => warning.percent === percent).length,
      ]),
    ),
    ...byCheck,
  })
  return { orders: outcome.orders }
}

/**
 * One delivery, through the router's own step: the kill state, limits and reference prices read to their end before
 * any order is decided (fail closed: an unreadable state decides nothing), the day's credit rebuilt from the orders
 * let through, then the fresh orders decided against them and written, with the progress commit, atomically.
 */
export async function routeEvent(
  event: MskEvent,
  log: EventLog,
  index: AuditIndexSink,
  budgetMs: number,
): Promise<RouteOutcome> {
  const records = toLogRecords(event, ORDERS)
  if (records.length === 0) return { orders: 0, redelivered: 0, audits: [], creditWarnings: [] }
  const started = Date.now()
  const reader = readerOf(log)
  const writer = createTopicWriter(log, ROUTER_OUTPUTS)
  const decide = async (beforeWrite: () => void) => {
    // The writer first: registering it fences an earlier attempt's transaction before anything is read.
    const delivery = await openDelivery(reader, writer, ROUTER_PROGRESS_GROUP, ORDERS, records)
    const state = new RouterState(DEFAULT_MAX_REMEMBERED_IDS, limits())
    const [kills, limitsView, prices] = await Promise.all(ROUTER_STATE_TOPICS.map((topic) => reader.readCompacted(topic)))
    state.load(kills!.records.values())
    state.loadLimits(limitsView!.records.values())
    state.loadPrices(prices!.records.values())
    if (delivery.fresh.length === 0) return { delivery, audits: [], creditWarnings: [] }
    const now = Date.now()
    const dayStart = { type: 'timestamp' as const, timestamp: state.tradingDayStart(now) }
    state.restoreSpending([], now, true)
    await readRange(reader, ORDERS_GATED, dayStart, (gated) => state.restoreSpending(gated, now, false))
    const routed = state.route(delivery.fresh, now, true)
    beforeWrite()
    await writer.write(routedOutputs([routed]), delivery.commit)
    return { delivery, audits: routed.auditValues ?? [], creditWarnings: routed.creditWarnings }
  }
  const { delivery, audits, creditWarnings } = await withinBudget(budgetMs, `Deciding ${records.length} records of ${ORDERS}`, decide)
  // The index follows the audit topic, never leads it: written once the batch is durable in Kafka.
  // What an earlier delivery decided goes in again, from the topic: that delivery may have failed here.
  const { redelivered } = delivery
  const repaired = redelivered.length > 0 ? await auditsOfDecided(log, redelivered, started + budgetMs) : []
  await index.putAudits([...repaired, ...audits])
  return { orders: records.length, redelivered: redelivered.length, audits, creditWarnings }
}
