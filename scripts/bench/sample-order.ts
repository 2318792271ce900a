import type { Order } from '../../src/domain/order.js'
import type { ProduceRecord } from '../../src/log/port.js'
import { jsonRecord } from '../../test/helpers/json-record.js'

export const SAMPLE_SYMBOLS = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX'] as const

/** A realistic order of the size the generator produces, for throughput figures. */
export function sampleOrder(seq: number, ts = Date.now()): Order {
  return {
    order_id: `bench-${seq}`,
    ts,
    account_id: String(10001 + (seq % 20)),
    symbol: SAMPLE_SYMBOLS[seq % SAMPLE_SYMBOLS.length]!,
    side: seq % 2 === 0 ? 'BUY' : 'SELL',
    qty: 100 + (seq % 400),
    // Prime to the other fields' periods: no two orders of a run are the same order (DUPLICATIVE) sent again.
    price: 100 + (seq % 99_991) / 1000,
    strategy: seq % 3 === 0 ? 'momentum' : 'mean_reversion',
  }
}

/** The kill state of account k<i>, as the aggregator writes it: the routers' benches kill a thousand accounts. */
export function killedAccountState(i: number): ProduceRecord {
  return jsonRecord(`ACCOUNT:k${i}`, {
    scope: `ACCOUNT:k${i}`,
    status: 'KILLED',
    updated_ts: Date.now(),
    updated_by: 'bench',
    reason: 'bench',
    last_cmd_id: `c${i}`,
    corr_id: `k${i}`,
  })
}
