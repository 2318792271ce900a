/**
 * A steady flow of orders from a process of its own, as trading clients would send it (forkOrderFlow in
 * order-flow.ts): every account at its own rate, whatever the pipeline is doing. Each order_id carries the
 * moment it was sent, so the bench can tell which orders left after a kill was confirmed.
 */
import { once } from 'node:events'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { ORDERS } from '../../topologies/topics.js'
import { BENCH_BROKERS } from './kafka.js'
import { flowOrder, type FlowPlan } from './order-flow.js'

const told = once(process, 'message') as Promise<[FlowPlan]>
process.send?.('ready')
const [plan] = await told
const log = plan.dataDir === undefined ? await openKafkaLog({ brokers: BENCH_BROKERS, connection: { ssl: false } }) : await openEmbeddedLog({ dataDir: plan.dataDir })
let running = true
process.on('disconnect', () => {
  running = false
})
try {
  const startedMs = Date.now()
  const sent = plan.accounts.map(() => 0)
  let seq = 0
  while (running) {
    const nowMs = Date.now()
    const due = Math.floor(((nowMs - startedMs) * plan.ordersPerSecond) / 1000)
    const batch = []
    for (const [index, account] of plan.accounts.entries()) {
      for (; sent[index]! < due; sent[index]! += 1) batch.push(flowOrder(account, (seq += 1), nowMs))
    }
    if (batch.length > 0) await log.produce(ORDERS, batch.map((order) => jsonRecord(order.account_id, order, order.ts)))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
} finally {
  await log.close()
}
