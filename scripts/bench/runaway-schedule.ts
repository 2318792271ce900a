import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Order } from '../../src/domain/order.js'
import { referencePriceOf } from '../../src/generator/order-factory.js'

const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX']

/** Runaway accounts one after another: the stream the breach-latency benchmarks share. */
export interface RunawayPlan {
  readonly accounts: number
  readonly ordersPerAccount: number
  /** Each account's own rate while it runs. */
  readonly ordersPerSecond: number
  /** Between one account's first order and the next's. */
  readonly staggerMs: number
  /** Accounts are `${accountPrefix}${index}`; a prefix of its own keeps a run apart from others on the log. */
  readonly accountPrefix: string
  /** The order-count threshold: the order at this 0-based seq is the one that crosses it. */
  readonly breachSeq: number
}

export type OrderFactory = (account: string, index: number, seq: number, ts: number) => Order

export interface RunawaySchedule {
  /** Every order, in ts order; ts is wall-clock time, so an order is due when the clock reaches it. */
  readonly orders: readonly Order[]
  /** Per account, the ts of the order that crossed the threshold. */
  readonly breachTs: ReadonlyMap<string, number>
}

/**
 * Orders of one share and a small notional, so the order count is the only rule that trips; priced within the
 * collar of the generator's reference prices, and never the same order twice within a minute (DUPLICATIVE), so
 * that only the kill switch stops them.
 */
export const countOnlyOrder: OrderFactory = (account, index, seq, ts) => ({
  order_id: `${account}-${seq}`,
  ts,
  account_id: account,
  symbol: SYMBOLS[seq % SYMBOLS.length]!,
  side: 'BUY',
  qty: 1,
  price: Math.round((referencePriceOf(SYMBOLS[seq % SYMBOLS.length]!) - 4.98 + (seq % 997) / 100) * 100) / 100,
  strategy: `bench-${index % 4}`,
})

export function runawaySchedule(
  plan: RunawayPlan,
  startMs: number,
  order: OrderFactory = countOnlyOrder,
): RunawaySchedule {
  const breachTs = new Map<string, number>()
  const orders: Order[] = []
  for (let a = 0; a < plan.accounts; a += 1) {
    const account = `${plan.accountPrefix}${a}`
    for (let seq = 0; seq < plan.ordersPerAccount; seq += 1) {
      const ts = startMs + a * plan.staggerMs + Math.floor((seq * 1000) / plan.ordersPerSecond)
      orders.push(order(account, a, seq, ts))
      if (seq === plan.breachSeq) breachTs.set(account, ts)
    }
  }
  orders.sort((x, y) => x.ts - y.ts)
  return { orders, breachTs }
}

/** Sends each order once the clock reaches its ts, in batches of whatever has come due. */
export async function playSchedule(
  orders: readonly Order[],
  send: (batch: readonly Order[]) => Promise<void>,
): Promise<void> {
  let next = 0
  while (next < orders.length) {
    const now = Date.now()
    const batch: Order[] = []
    while (next < orders.length && orders[next]!.ts <= now) batch.push(orders[next++]!)
    if (batch.length > 0) await send(batch)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** What the parent tells the sender process (runaway-sender.ts), which sends to RISKCTL_BENCH_BROKERS. */
export interface SenderOrders {
  readonly plan: RunawayPlan
  readonly startMs: number
}

export interface RunawaySender {
  /** Sends the schedule from startMs on; resolves when the last order is acknowledged. */
  send(orders: SenderOrders): Promise<void>
  stop(): void
  readonly pid: number | undefined
}

/**
 * The schedule sent from a process of its own, as from `riskctl generate`: sent from the event loop of
 * an in-process detector it would leave late whenever the detector is busy, and that lateness would
 * count as the detector's. Resolves once the sender is connected to the broker.
 */
export async function forkRunawaySender(dataDir?: string): Promise<RunawaySender> {
  const sender = fork(fileURLToPath(new URL('./runaway-sender.ts', import.meta.url)), dataDir === undefined ? [] : [dataDir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = (once(sender, 'exit') as Promise<[number | null, NodeJS.Signals | null]>).then(
    ([code, signal]) => {
      if (code !== 0) throw new Error(`the order sender ended with ${signal ?? `exit code ${String(code)}`}`)
    },
  )
  // Awaited in send(); until then a failure must not count as unhandled.
  exited.catch(() => undefined)
  const ready = once(sender, 'message').then(() => undefined)
  await Promise.race([ready, exited.then(() => Promise.reject(new Error('the order sender ended early')))])
  return {
    send: async (orders) => {
      sender.send(orders)
      await exited
    },
    stop: () => {
      sender.kill()
    },
    pid: sender.pid,
  }
}
