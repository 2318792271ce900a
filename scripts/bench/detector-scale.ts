/**
 * The detector at a brokerage's breadth: 10,000 active accounts over 2,000 symbols, event time moving on as the
 * orders arrive (50,000 a second of it), so that windows slide and signals are paced as live. Orders per second of
 * the pure step, and the bytes of state each tracked account costs.
 */
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import { RiskDetector } from '../../src/domain/detector.js'
import { createOrderFactory } from '../../src/generator/order-factory.js'
import { detectorOrderOf } from '../../src/processors/detector-input.js'
import { encode } from '../../src/processors/topic-codec.js'
import { ORDERS } from '../../topologies/topics.js'
import { gc } from './gc.js'
import { round, type BenchResult } from './result.js'

const ACCOUNTS = 10_000
const SYMBOLS = 2_000
const ORDERS_COUNT = 600_000
/** Event time per order: 50,000 orders a second. */
const RATE = 50_000

export async function benchDetectorScale(): Promise<BenchResult[]> {
  const settings = loadDetectorTopology()
  const next = createOrderFactory({ mode: 'normal', seed: 11, accounts: ACCOUNTS, symbols: SYMBOLS })
  const start = Date.now() - (ORDERS_COUNT / RATE) * 1000
  const records = Array.from({ length: ORDERS_COUNT }, (_, i) => {
    const order = next(i, start + Math.floor((i * 1000) / RATE))
    return { value: encode(ORDERS, order).value, timestamp: order.ts }
  })
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const detector = new RiskDetector(settings)
  let signals = 0
  let kills = 0
  let nextTick = start + 1000
  const started = performance.now()
  for (const record of records) {
    const order = detectorOrderOf(record)
    if (order === undefined) continue
    const step = detector.observe(order, record.timestamp)
    signals += step.signals.length
    kills += step.kills.length
    if (record.timestamp >= nextTick) {
      nextTick += 1000
      const tick = detector.tick(record.timestamp)
      signals += tick.signals.length
      kills += tick.kills.length
    }
  }
  const seconds = (performance.now() - started) / 1000
  gc()
  const heapAfter = process.memoryUsage().heapUsed
  // Still referenced after the reading, so that collecting the input cannot pass for the detector's saving.
  if (records.length !== ORDERS_COUNT) throw new Error('the input changed')
  const conditions = {
    accounts: detector.trackedAccounts,
    symbols: detector.trackedSymbols,
    orders: ORDERS_COUNT,
    eventTime: `${RATE}/s`,
    signals,
    kills,
  }
  return [
    {
      metric: 'detector.10k_accounts.orders_per_s',
      value: Math.round(ORDERS_COUNT / seconds),
      unit: 'orders/s',
      conditions: { ...conditions, step: 'decode + windows + signals, no log' },
    },
    {
      metric: 'detector.state.bytes_per_account',
      value: round((heapAfter - heapBefore) / detector.trackedAccounts, 0),
      unit: 'bytes',
      conditions: { ...conditions, measured: 'heap held by the detector after GC, over its tracked accounts (symbols included)' },
    },
  ]
}
