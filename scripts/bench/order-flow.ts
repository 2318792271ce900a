import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Order } from '../../src/domain/order.js'

const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX']

/** Accounts sending orders steadily, each at the same rate, for as long as the flow runs. */
export interface FlowPlan {
  readonly accounts: readonly string[]
  readonly ordersPerSecond: number
  /** The embedded log's data directory to send to; the bench's broker when absent. */
  readonly dataDir?: string | undefined
}

/** One share at 100 over eight symbols: no rule of the detector is near, whatever the rate. */
export function flowOrder(account: string, seq: number, sentMs: number): Order {
  return {
    order_id: `flow-${sentMs}-${seq}`,
    ts: sentMs,
    account_id: account,
    symbol: SYMBOLS[seq % SYMBOLS.length]!,
    side: seq % 2 === 0 ? 'BUY' : 'SELL',
    qty: 1,
    price: 100,
    strategy: 'flow',
  }
}

/** When a flow order was handed to the producer, from its order_id; undefined for any other order. */
export function sentAtOf(orderId: string): number | undefined {
  const match = /^flow-(\d+)-\d+$/.exec(orderId)
  return match ? Number(match[1]) : undefined
}

export interface OrderFlow {
  stop(): Promise<void>
}

/** Starts order-flow-sender.ts in a process of its own; resolves once it sends. */
export async function forkOrderFlow(plan: FlowPlan): Promise<OrderFlow> {
  const sender = fork(fileURLToPath(new URL('./order-flow-sender.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(sender, 'exit')
  await Promise.race([
    once(sender, 'message'),
    exited.then(() => Promise.reject(new Error('the order flow ended before it started'))),
  ])
  sender.send(plan)
  return {
    stop: async () => {
      if (sender.exitCode !== null || sender.signalCode !== null) return
      // Closing the channel ends the sender's loop; it closes its log and exits.
      sender.disconnect()
      const timer = setTimeout(() => sender.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
