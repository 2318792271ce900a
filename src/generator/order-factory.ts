import type { Order } from '../domain/order.js'
import { integerBetween, pick, seededRandom, type Random } from './prng.js'

export type GeneratorMode = 'normal' | 'panic'

export const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX'] as const
export const STRATEGIES = ['momentum', 'mean_reversion', 'market_making', 'vwap'] as const
export const NORMAL_ACCOUNTS = Array.from({ length: 20 }, (_, i) => String(10001 + i))
export const PANIC_ACCOUNT = '12345'

/** Rough reference prices, so notional figures look like a real book; orders are priced within 2% of them. */
const REFERENCE_PRICES: Readonly<Record<string, number>> = {
  AAPL: 190,
  GOOGL: 140,
  MSFT: 380,
  AMZN: 150,
  TSLA: 240,
  NVDA: 480,
  META: 330,
  NFLX: 480,
}

export interface OrderFactoryOptions {
  readonly mode: GeneratorMode
  readonly seed: number
  readonly account?: string | undefined
  readonly symbol?: string | undefined
  readonly strategy?: string | undefined
  /** Distinguishes runs in order ids; defaults to the seed. */
  readonly runId?: string | undefined
  /** normal: spread the flow over this many accounts (default 20, from 10001). */
  readonly accounts?: number | undefined
  /** normal: over this many symbols (default the 8 listed; beyond them, tickers X9, X10, …). */
  readonly symbols?: number | undefined
}

/** Accounts 10001 on: at a high rate, enough of them keep each one under the detector's thresholds. */
export function normalAccounts(count: number): readonly string[] {
  return count === NORMAL_ACCOUNTS.length ? NORMAL_ACCOUNTS : Array.from({ length: count }, (_, i) => String(10001 + i))
}

export function normalSymbols(count: number): readonly string[] {
  if (count <= SYMBOLS.length) return SYMBOLS.slice(0, count)
  return [...SYMBOLS, ...Array.from({ length: count - SYMBOLS.length }, (_, i) => `X${SYMBOLS.length + i + 1}`)]
}

/**
 * The panic symbols, interleaved so the top symbol's share stays at one half: the runaway trips
 * the order-rate rule (at the 101st order) rather than the 0.7 concentration rule, as in the
 * classroom script. `--symbol` concentrates a panic on one ticker to show that rule instead.
 */
const PANIC_SYMBOLS = ['TSLA', 'NVDA', 'TSLA', 'META', 'TSLA', 'NVDA', 'TSLA', 'META', 'TSLA', 'NVDA'] as const

/** The reference price the generator prices a symbol's orders around, and publishes for the collar. */
export function referencePriceOf(symbol: string): number {
  return REFERENCE_PRICES[symbol] ?? DEFAULT_REFERENCE_PRICE
}

const DEFAULT_REFERENCE_PRICE = 100

/** Every symbol a run with these options may send an order for. */
export function symbolsOf(options: Pick<OrderFactoryOptions, 'mode' | 'symbol' | 'symbols'>): readonly string[] {
  if (options.symbol !== undefined) return [options.symbol]
  return options.mode === 'panic' ? [...new Set(PANIC_SYMBOLS)] : normalSymbols(options.symbols ?? SYMBOLS.length)
}

/**
 * Builds the order stream. normal: many accounts spread over every symbol and strategy, small
 * sizes. panic: one runaway algorithm, one account hammering three symbols with larger sizes,
 * sized so that the order-rate rule, not the notional rule, trips first.
 */
export function createOrderFactory(options: OrderFactoryOptions): (seq: number, ts: number) => Order {
  const random = seededRandom(options.seed)
  const runId = options.runId ?? `s${options.seed}`
  const prefix = options.mode === 'panic' ? 'p' : 'n'
  const accounts = normalAccounts(options.accounts ?? NORMAL_ACCOUNTS.length)
  const symbols = normalSymbols(options.symbols ?? SYMBOLS.length)
  return (seq, ts) => {
    const panic = options.mode === 'panic'
    const symbol = options.symbol ?? (panic ? PANIC_SYMBOLS[seq % PANIC_SYMBOLS.length]! : pick(random, symbols))
    return {
      order_id: `${prefix}-${runId}-${seq}`,
      ts,
      account_id: options.account ?? (panic ? PANIC_ACCOUNT : pick(random, accounts)),
      symbol,
      side: random() < 0.5 ? 'BUY' : 'SELL',
      qty: panic ? integerBetween(random, 10, 30) : integerBetween(random, 1, 20),
      price: priceNear(random, referencePriceOf(symbol)),
      strategy: options.strategy ?? (panic ? 'momentum' : pick(random, STRATEGIES)),
    }
  }
}

function priceNear(random: Random, reference: number): number {
  return Math.round(reference * (0.98 + random() * 0.04) * 100) / 100
}
