import { abortableSleep } from '../abortable-sleep.js'
import type { Order } from '../domain/order.js'
import { canonicalId } from '../domain/identifiers.js'
import type { ReferencePriceRecord } from '../domain/pretrade/reference-prices.js'
import {
  createOrderFactory,
  referencePriceOf,
  symbolsOf,
  type GeneratorMode,
} from '../generator/order-factory.js'
import { ordersDue, scheduledTime, totalOrders } from '../generator/pacing.js'
import type { EventLog } from '../log/port.js'
import { ORDERS, REFERENCE_PRICES } from '../../topologies/topics.js'
import { encode } from '../processors/topic-codec.js'

export interface GenerateOptions {
  readonly mode: GeneratorMode
  readonly ratePerSecond: number
  readonly durationSeconds: number
  readonly seed: number
  readonly account?: string | undefined
  readonly symbol?: string | undefined
  readonly strategy?: string | undefined
  readonly accounts?: number | undefined
  readonly symbols?: number | undefined
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: (progress: GenerateProgress) => void
  /** Injected in tests; defaults to Date.now. */
  readonly now?: () => number
}

export interface GenerateProgress {
  readonly sent: number
  readonly total: number
  readonly elapsedMs: number
}

export interface GenerateSummary {
  readonly mode: GeneratorMode
  readonly seed: number
  readonly orders: number
  readonly planned: number
  readonly durationMs: number
  readonly achievedRatePerSecond: number
  readonly accounts: number
  readonly bySymbol: Readonly<Record<string, number>>
  readonly notional: number
  readonly interrupted: boolean
}

const TICK_MS = 10
/** Well within the age the router accepts (topologies/limits.json), so a long run's prices never go stale. */
export const PRICE_REFRESH_MS = 60_000
export const GENERATOR_PRICE_SOURCE = 'riskctl generate'
/** The shortest pause between two appends: a few ms of orders per write at high rates. */
const MIN_BATCH_MS = 5

/** Produces the paced order stream to orders.v1 and summarises what it sent. */
export async function generateOrders(log: EventLog, options: GenerateOptions): Promise<GenerateSummary> {
  const now = options.now ?? Date.now
  const nextOrder = createOrderFactory({
    ...options,
    runId: `${options.seed.toString(36)}${now().toString(36)}`,
  })
  const total = totalOrders(options.ratePerSecond, options.durationSeconds)
  const accounts = new Set<string>()
  const bySymbol: Record<string, number> = {}
  let notional = 0
  let sent = 0
  const start = now()
  let lastProgress = start
  // The collar needs a reference for every symbol before the first order: without one the router drops it.
  await publishReferencePrices(log, symbolsOf(options), now())
  let pricesAt = start

  while (sent < total && !options.signal?.aborted) {
    const due = ordersDue(options.ratePerSecond, now() - start, total)
    if (due > sent) {
      const batch: Order[] = []
      for (let seq = sent; seq < due; seq += 1)
        batch.push(nextOrder(seq, scheduledTime(start, options.ratePerSecond, seq)))
      await log.produce(
        ORDERS,
        batch.map((order) => encode(ORDERS, order, { timestamp: order.ts })),
      )
      for (const order of batch) {
        accounts.add(order.account_id)
        bySymbol[order.symbol] = (bySymbol[order.symbol] ?? 0) + 1
        notional += order.qty * order.price
      }
      sent = due
    }
    if (now() - pricesAt >= PRICE_REFRESH_MS) {
      pricesAt = now()
      await publishReferencePrices(log, symbolsOf(options), pricesAt)
    }
    if (now() - lastProgress >= 1000 || sent === total) {
      lastProgress = now()
      options.onProgress?.({ sent, total, elapsedMs: lastProgress - start })
    }
    if (sent < total) {
      // At thousands a second the next order is always due at once: without a floor the generator would append a
      // few orders at a time back to back, and its stream of tiny writes would keep every other writer of the log
      // waiting for the lock. Orders keep their due times as ts, so a batch sent a few ms late is still on time.
      const wait = Math.max(MIN_BATCH_MS, nextDueIn(options.ratePerSecond, sent, start, now()))
      await abortableSleep(Math.min(TICK_MS, wait), options.signal)
    }
  }
  const durationMs = Math.max(1, now() - start)
  return {
    mode: options.mode,
    seed: options.seed,
    orders: sent,
    planned: total,
    durationMs,
    achievedRatePerSecond: Math.round((sent / durationMs) * 1000 * 10) / 10,
    accounts: accounts.size,
    bySymbol,
    notional: Math.round(notional),
    interrupted: sent < total,
  }
}

/** The generator's reference price of each symbol, which its orders are priced within 2% of. */
export async function publishReferencePrices(
  log: EventLog,
  symbols: readonly string[],
  ts: number,
): Promise<number> {
  const records: ReferencePriceRecord[] = []
  for (const raw of symbols) {
    // Keyed by the symbol as orders are matched: an id that cannot be made canonical has no orders to price.
    const symbol = canonicalId('symbol', raw)
    if (symbol.ok)
      records.push({
        symbol: symbol.id,
        price: referencePriceOf(symbol.id),
        ts,
        source: GENERATOR_PRICE_SOURCE,
      })
  }
  if (records.length > 0)
    await log.produce(
      REFERENCE_PRICES,
      records.map((record) => encode(REFERENCE_PRICES, record)),
    )
  return records.length
}

function nextDueIn(rate: number, sent: number, start: number, now: number): number {
  return Math.max(0, scheduledTime(start, rate, sent) - now)
}
