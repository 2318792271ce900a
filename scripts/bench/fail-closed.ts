import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import { RiskDetector } from '../../src/domain/detector.js'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { createDetector } from '../../src/processors/detector.js'
import { DETECTOR_GROUP } from '../../topologies/groups.js'
import { detectorOrderOf } from '../../src/processors/detector-input.js'
import { readRange } from '../../src/processors/read-range.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { rememberDecided } from '../../src/processors/router-step.js'
import { TentativeIds } from '../../src/processors/tentative-ids.js'
import { AUDIT, ORDERS, TOPICS } from '../../topologies/topics.js'
import { gc } from './gc.js'
import { round, type BenchResult } from './result.js'
import { sampleOrder } from './sample-order.js'

const DETECTOR_ORDERS = 200_000
const REMEMBERED_IDS = 1_000_000
const REBUILT_AUDITS = 200_000


function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-'))
}

/**
 * The detector's rate: the pure step alone, and the processor on the embedded log judging a backlog from its
 * first start (how fast it catches up after an outage), time-merged across partitions and committed as it goes.
 */
export async function benchDetector(): Promise<BenchResult[]> {
  const settings = loadDetectorTopology()
  const records = Array.from({ length: DETECTOR_ORDERS }, (_, i) => {
    const order = sampleOrder(i)
    return jsonRecord(order.account_id, order)
  })

  const now = Date.now()
  const detector = new RiskDetector(settings)
  const pureStarted = performance.now()
  for (const record of records) {
    const order = detectorOrderOf({ value: record.value, timestamp: now })
    if (order !== undefined) detector.observe(order, now)
  }
  const pureSeconds = (performance.now() - pureStarted) / 1000

  const dataDir = tempDir()
  try {
    const log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    for (let i = 0; i < records.length; i += 5000) await log.produce(ORDERS, records.slice(i, i + 5000))
    const processor = createDetector(log, { settings })
    const controller = new AbortController()
    const started = performance.now()
    const run = processor.run(controller.signal)
    for (;;) {
      const committed = await log.committedOffsets(DETECTOR_GROUP, ORDERS)
      if (committed.reduce((sum, p) => sum + p.offset, 0) >= DETECTOR_ORDERS) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const seconds = (performance.now() - started) / 1000
    controller.abort()
    await run
    await log.close()
    return [
      {
        metric: 'detector.embedded.orders_per_s',
        value: Math.round(DETECTOR_ORDERS / seconds),
        unit: 'orders/s',
        conditions: { orders: DETECTOR_ORDERS, from: 'a backlog: first start, read, time-merged, judged, committed', accounts: 20 },
      },
      {
        metric: 'detector.observe_only.orders_per_s',
        value: Math.round(DETECTOR_ORDERS / pureSeconds),
        unit: 'orders/s',
        conditions: { orders: DETECTOR_ORDERS, step: 'decode + canonical ids + sliding windows, no log' },
      },
    ]
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * What the router's duplicate protection costs: memory per remembered order_id, and how fast a restart reads
 * the horizon back from audit.v1.
 */
export async function benchDuplicateMemory(): Promise<BenchResult[]> {
  gc()
  const before = process.memoryUsage().heapUsed
  const ids = new TentativeIds(2_000_000)
  for (let i = 0; i < REMEMBERED_IDS; i += 1) ids.add(`ord-${i.toString(36)}-${(i * 7919).toString(16)}`, Date.now())
  ids.confirm()
  gc()
  const bytesPerId = (process.memoryUsage().heapUsed - before) / REMEMBERED_IDS
  if (ids.size !== REMEMBERED_IDS) throw new Error('ids went missing')

  const dataDir = tempDir()
  try {
    const log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    const audits = Array.from({ length: REBUILT_AUDITS }, (_, i) => {
      const order = sampleOrder(i)
      return jsonRecord(order.order_id, {
        ts: Date.now(),
        decision: 'ALLOW',
        order_id: order.order_id,
        account_id: order.account_id,
        symbol: order.symbol,
        strategy: order.strategy,
        scope_matches: [],
        killswitch_status: 'ACTIVE',
        reason: 'no kill switch state for this order',
        corr_id: '',
        service: 'router',
      })
    })
    for (let i = 0; i < audits.length; i += 5000) await log.produce(AUDIT, audits.slice(i, i + 5000))
    const rebuilt = new TentativeIds(2_000_000)
    const started = performance.now()
    await readRange(log, AUDIT, { type: 'timestamp', timestamp: Date.now() - 3_600_000 }, (records) => rememberDecided(rebuilt, records))
    const seconds = (performance.now() - started) / 1000
    await log.close()
    if (rebuilt.size !== REBUILT_AUDITS) throw new Error(`rebuilt ${rebuilt.size} of ${REBUILT_AUDITS} ids`)
    return [
      {
        metric: 'router.duplicates.bytes_per_remembered_id',
        value: round(bytesPerId, 1),
        unit: 'bytes',
        conditions: { ids: REMEMBERED_IDS, idChars: '12-20', horizon: '1 h, at most 2,000,000 ids' },
      },
      {
        metric: 'router.duplicates.rebuild_ids_per_s',
        value: Math.round(REBUILT_AUDITS / seconds),
        unit: 'ids/s',
        conditions: { audits: REBUILT_AUDITS, from: 'audit.v1 on the embedded log, at a (re)start' },
      },
    ]
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
