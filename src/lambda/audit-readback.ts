import { AUDIT } from '../../topologies/topics.js'
import { decodeJson } from '../contracts/decode.js'
import { auditSchema, orderSchema } from '../contracts/messages.js'
import type { AuditRecord } from '../domain/audit-record.js'
import type { EventLog, LogRecord } from '../log/port.js'

/**
 * How far before the oldest order the read starts: an audit's time is the router's clock at the
 * decision, an order's the producer's, and the two may disagree.
 */
const CLOCK_SLACK_MS = 5 * 60_000

/**
 * The audits of orders an earlier delivery decided, read back from audit.v1. That delivery may have
 * failed at the audit index, after its decisions were committed: the index then gets them from the
 * topic, which holds every decision. Redeliveries are rare and recent, so the read starts at the
 * orders' own time and ends at the topic's end (or the deadline, leaving the rest unrepaired).
 */
export async function auditsOfDecided(
  log: EventLog,
  orders: readonly LogRecord[],
  deadline: number,
): Promise<AuditRecord[]> {
  const ids = new Set<string>()
  for (const record of orders) {
    const order = decodeJson(orderSchema, record.value)
    if (order.ok) ids.add(order.value.order_id)
  }
  if (ids.size === 0) return []
  const oldest = Math.min(...orders.map((record) => record.timestamp))
  const consumer = await log.consumer({
    topics: [AUDIT],
    from: { type: 'timestamp', timestamp: oldest - CLOCK_SLACK_MS },
  })
  try {
    const ends = new Map((await consumer.endOffsets()).map((end) => [end.partition, end.offset]))
    const reached = () => consumer.positions().every((p) => p.offset >= (ends.get(p.partition) ?? 0))
    const found = new Map<string, AuditRecord>()
    while (!reached() && found.size < ids.size && Date.now() < deadline) {
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 100 })) {
        const audit = decodeJson(auditSchema, record.value)
        if (audit.ok && ids.has(audit.value.order_id)) found.set(audit.value.order_id, audit.value)
      }
    }
    return [...found.values()]
  } finally {
    await consumer.close()
  }
}
