/**
 * The sending side of forkRunawaySender (runaway-schedule.ts), run as its own process: it opens the log
 * (the embedded one whose data dir is its argument, else the bench's broker),
 * says so, waits to be told the plan and the start, keeps to the schedule on orders.v1, and exits.
 */
import { once } from 'node:events'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { ORDERS } from '../../topologies/topics.js'
import { BENCH_BROKERS } from './kafka.js'
import { playSchedule, runawaySchedule, type SenderOrders } from './runaway-schedule.js'

const told = once(process, 'message') as Promise<[SenderOrders]>
// An embedded log's data dir as the argument; else the bench's broker.
const dataDir = process.argv[2]
const log =
  dataDir === undefined
    ? await openKafkaLog({ brokers: BENCH_BROKERS, connection: { ssl: false } })
    : await openEmbeddedLog({ dataDir })
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
