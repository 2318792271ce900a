/**
 * The detector at scale again, for long enough that every window is full. The first figures stop after 12 s of
 * event time, when each account holds about 60 orders; a detector running for a minute or more holds a full 60 s
 * window, about 300 orders per account over some 280 of the 2,000 symbols. Orders are made 100,000 at a time, so
 * that the input does not outweigh what is measured.
 */
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import { RiskDetector } from '../../src/domain/detector.js'
import { createOrderFactory } from '../../src/generator/order-factory.js'
import { detectorOrderOf } from '../../src/processors/detector-input.js'
import { encode } from '../../src/processors/topic-codec.js'
import { ORDERS } from '../../topologies/topics.js'
import { memoryInUse } from './gc.js'
import { round, type BenchResult } from './result.js'

const ACCOUNTS = 10_000
const SYMBOLS = 2_000
/** 72 s of event time at 50,000 orders a second: the last 12 s run with every 60 s window full. */
const ORDERS_COUNT = 3_600_000
const TIMED = 600_000
const CHUNK = 100_000
const RATE = 50_000

export async function benchDetectorFullWindows(): Promise<BenchResult[]> {
  const settings = loadDetectorTopology()
  const next = createOrderFactory({ mode: 'normal', seed: 11, accounts: ACCOUNTS, symbols: SYMBOLS })
  const start = Date.now() - (ORDERS_COUNT / RATE) * 1000
  const memoryBefore = memoryInUse()
  const detector = new RiskDetector(settings)
  let nextTick = start + 1000
  let seconds = 0
  for (let first = 0; first < ORDERS_COUNT; first += CHUNK) {
    const records = Array.from({ length: CHUNK }, (_, k) => {
      const order = next(first + k, start + Math.floor(((first + k) * 1000) / RATE))
      return { value: encode(ORDERS, order).value, timestamp: order.ts }
    })
    const started = performance.now()
    for (const record of records) {
      const order = detectorOrderOf(record)
      if (order === undefined) continue
      detector.observe(order, record.timestamp)
      if (record.timestamp >= nextTick) {
        nextTick += 1000
        detector.tick(record.timestamp)
      }
    }
    if (first >= ORDERS_COUNT - TIMED) seconds += (performance.now() - started) / 1000
  }
  const memoryAfter = memoryInUse()
  const conditions = {
    accounts: detector.trackedAccounts,
    symbols: detector.trackedSymbols,
    orders: ORDERS_COUNT,
    eventTime: `${RATE}/s`,
    windows: `${settings.windowMs / 1000}s, full`,
  }
  return [
    {
      metric: 'detector.full_windows.orders_per_s',
      value: Math.round(TIMED / seconds),
      unit: 'orders/s',
      conditions: { ...conditions, step: `decode + windows + signals over the last ${TIMED} orders, no log` },
    },
    {
      metric: 'detector.full_windows.bytes_per_account',
      value: round((memoryAfter - memoryBefore) / detector.trackedAccounts, 0),
      unit: 'bytes',
      conditions: {
        ...conditions,
        measured: 'heapUsed + arrayBuffers held by the detector after a full GC, over its tracked accounts',
      },
    },
  ]
}
