/**
 * The sending side of forkRunawaySender (runaway-schedule.ts), run as its own process: it connects,
 * says so, waits to be told the plan and the start, keeps to the schedule on orders.v1, and exits.
 */
import { once } from 'node:events'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { ORDERS } from '../../topologies/topics.js'
import { BENCH_BROKERS } from './kafka.js'
import { playSchedule, runawaySchedule, type SenderOrders } from './runaway-schedule.js'

const told = once(process, 'message') as Promise<[SenderOrders]>
const log = await openKafkaLog({ brokers: BENCH_BROKERS, connection: { ssl: false } })
try {
  process.send?.('ready')
  const [{ plan, startMs }] = await told
  const { orders } = runawaySchedule(plan, startMs)
  await playSchedule(orders, async (batch) => {
    await log.produce(
      ORDERS,
      batch.map((o) => jsonRecord(o.account_id, o, o.ts)),
    )
  })
} finally {
  await log.close()
}
