import { describe, expect, it } from 'vitest'
import { reconcile, type DecisionRow, type ReconcileInput } from '../../../src/domain/reconciliation.js'

const T = Date.UTC(2026, 11, 7, 10, 0, 0)

const order = (partition: number, offset: number, id: string | undefined, ts = T) => ({
  at: `${partition}:${offset}`,
  partition,
  offset,
  order_id: id,
  ts,
})

function decision(
  at: string,
  orderAt: string | undefined,
  id: string,
  overrides: Partial<DecisionRow> = {},
): DecisionRow {
  return {
    at,
    order_offset: orderAt,
    order_id: id,
    decision: 'ALLOW',
    check: null,
    account_id: '42',
    symbol: 'AAPL',
    strategy: 'm',
    scope_matches: [],
    ts: T + 10,
    ...overrides,
  }
}

/** Three orders: o1 allowed and forwarded, o2 dropped by the kill of ACCOUNT:7, a non-order dead-lettered. */
function balanced(overrides: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    orders: [order(0, 0, 'o1'), order(0, 1, 'o2'), order(1, 0, undefined)],
    elsewhere: [],
    decisions: [
      decision('0:0', '0:0', 'o1'),
      decision('1:0', '0:1', 'o2', {
        decision: 'DROP',
        check: 'KILL_SWITCH',
        account_id: '7',
        scope_matches: ['ACCOUNT:7'],
        ts: T + 20,
      }),
    ],
    letters: [{ at: '0:0', source: '1:0' }],
    gated: [{ at: '0:0', order_id: 'o1', ts: T + 10 }],
    changes: [{ scope: 'ACCOUNT:7', status: 'KILLED', ts: T }],
    committed: new Map([
      [0, 2],
      [1, 1],
    ]),
    damaged: [],
    fromMs: T,
    toMs: T + 60_000,
    graceMs: 1000,
    stallMs: 30_000,
    nowMs: T + 5_000,
    ...overrides,
  }
}

const kinds = (input: ReconcileInput) =>
  reconcile(input).breaks.map((b) => `${b.kind} ${b.order_id ?? '-'} ${b.at}`)

describe('reconciliation of a period of the log', () => {
  it('balances when every order has one decision or one dead letter and the forwards are exactly the ALLOWs', () => {
    const result = reconcile(balanced())
    expect(result).toMatchObject({
      balanced: true,
      orders: 3,
      decided: 2,
      dead_lettered: 1,
      pending: 0,
      gated: 1,
    })
    expect(result.by_decision).toEqual({ ALLOW: 1, DROP: 1 })
    expect(result.by_check).toEqual({ KILL_SWITCH: 1 })
    expect(result.by_scope).toEqual([{ scope: 'ACCOUNT:7', dropped: 1 }])
  })

  it("counts an undecided order past the router's committed position as pending, and one before it as a break", () => {
    const input = balanced({ orders: [...balanced().orders, order(0, 2, 'o3')] })
    expect(reconcile(input)).toMatchObject({ balanced: true, pending: 1 })
    expect(
      kinds({
        ...input,
        committed: new Map([
          [0, 3],
          [1, 1],
        ]),
      }),
    ).toEqual(['UNDECIDED o3 orders.v1 0:2'])
  })

  it('finds an order decided twice, or decided and dead-lettered, or dead-lettered twice', () => {
    const twice = balanced({
      decisions: [
        ...balanced().decisions,
        decision('2:0', '0:0', 'o1', { decision: 'DROP', check: 'KILL_SWITCH' }),
      ],
    })
    expect(kinds(twice)).toEqual(['DECIDED_TWICE o1 orders.v1 0:0'])
    const both = balanced({ letters: [...balanced().letters, { at: '1:5', source: '0:1' }] })
    expect(kinds(both)).toEqual(['DECIDED_AND_DEAD_LETTERED o2 orders.v1 0:1'])
    const letters = balanced({ letters: [...balanced().letters, { at: '1:5', source: '1:0' }] })
    expect(kinds(letters)).toEqual(['DEAD_LETTERED_TWICE - orders.v1 1:0'])
  })

  it('finds a decision naming a position of the period where no order is (an order deleted from the log)', () => {
    const input = balanced({
      orders: [order(0, 0, 'o1'), order(0, 2, 'o3'), order(1, 0, undefined)],
      committed: new Map([
        [0, 0],
        [1, 1],
      ]),
    })
    expect(kinds(input)).toEqual(['DECISION_WITHOUT_ORDER o2 audit.v1 1:0'])
  })

  it('finds an ALLOW not forwarded, a forward nobody allowed, a forward made twice, and a forward of no order', () => {
    expect(kinds(balanced({ gated: [] }))).toEqual(['ALLOW_NOT_GATED o1 audit.v1 0:0'])
    // A forward made before the period, and another in it, of one ALLOW made before the period.
    const before = decision('9:9', '0:0', 'early', { ts: T - 10 })
    const across = balanced({
      decisions: [...balanced().decisions, before],
      gated: [
        ...balanced().gated,
        { at: '0:7', order_id: 'early', ts: T - 9 },
        { at: '0:8', order_id: 'early', ts: T + 50 },
      ],
    })
    expect(kinds(across)).toContain('GATED_TWICE early orders.gated.v1 0:8')
    const extra = balanced({
      gated: [
        ...balanced().gated,
        { at: '0:1', order_id: 'o2', ts: T + 20 },
        { at: '0:2', order_id: 'o1', ts: T + 30 },
        { at: '0:3', order_id: undefined, ts: T + 30 },
      ],
    })
    expect(kinds(extra)).toEqual([
      'GATED_TWICE o1 orders.gated.v1 0:2',
      'GATED_NOT_ALLOWED o2 orders.gated.v1 0:1',
      'GATED_NOT_ALLOWED - orders.gated.v1 0:3',
    ])
  })

  it('finds an order whose decision nobody made: no router ran, and the orders are over the stall bound', () => {
    const stale = balanced({ committed: new Map(), nowMs: T + 60_000, decisions: [], letters: [], gated: [] })
    expect(kinds(stale)).toEqual([
      'NOT_DECIDED_IN_TIME o1 orders.v1 0:0',
      'NOT_DECIDED_IN_TIME - orders.v1 1:0',
    ])
    expect(reconcile(stale).breaks[0]!.detail).toContain('2 order(s) of partition 0 from offset 0')
    // Within the bound they are only pending: the router may be about to decide them.
    expect(reconcile({ ...stale, nowMs: T + 10_000 })).toMatchObject({ balanced: true, pending: 3 })
  })

  it('finds a decision made in the period of an order that is not on the log, by position or by id', () => {
    const ghost = decision('3:0', '0:40', 'ghost', { ts: T + 30 })
    expect(kinds(balanced({ decisions: [...balanced().decisions, ghost] }))).toEqual([
      'DECISION_WITHOUT_ORDER ghost audit.v1 3:0',
    ])
    // The position holds another order.
    expect(
      kinds(
        balanced({
          decisions: [...balanced().decisions, ghost],
          elsewhere: [order(0, 40, 'someone-else', T - 100)],
        }),
      ),
    ).toEqual(['DECISION_WITHOUT_ORDER ghost audit.v1 3:0'])
    // An order appended before the period and decided in it is no break.
    expect(
      kinds(
        balanced({
          decisions: [...balanced().decisions, ghost],
          elsewhere: [order(0, 40, 'ghost', T - 100)],
        }),
      ),
    ).toEqual([])
    // A decision that names no position and no order of the period.
    expect(
      kinds(
        balanced({
          decisions: [...balanced().decisions, decision('3:1', undefined, 'ghost2', { ts: T + 30 })],
        }),
      ),
    ).toEqual(['DECISION_WITHOUT_ORDER ghost2 audit.v1 3:1'])
  })

  it('counts an order_id the router let through twice (it had forgotten the first) as two ALLOWs to forward', () => {
    const again = balanced({
      orders: [order(0, 0, 'o1'), order(0, 1, 'o1')],
      decisions: [decision('0:0', '0:0', 'o1'), decision('0:1', '0:1', 'o1', { ts: T + 20 })],
      letters: [],
      changes: [],
    })
    expect(kinds(again)).toEqual(['ALLOW_NOT_GATED o1 audit.v1 0:1'])
    expect(kinds({ ...again, gated: [...again.gated, { at: '0:5', order_id: 'o1', ts: T + 20 }] })).toEqual(
      [],
    )
  })

  it('finds a decision that names other parties than its order, and judges kills by the order', () => {
    const facts = { account_id: '7', symbol: 'AAPL', strategy: 'm', side: 'BUY', qty: 1, price: 1 }
    const orders = [{ ...order(0, 0, 'o1'), facts }, order(0, 1, 'o2'), order(1, 0, undefined)]
    // The ALLOW names account 42; the order is of account 7, killed before it.
    expect(kinds(balanced({ orders }))).toEqual(['DECISION_NOT_OF_ORDER o1 audit.v1 0:0'])
    expect(kinds(balanced({ orders, graceMs: 0 }))).toEqual([
      'DECISION_NOT_OF_ORDER o1 audit.v1 0:0',
      'ALLOW_AFTER_KILL o1 audit.v1 0:0',
    ])
  })

  it('finds a dead letter standing for a valid order, and a forward that is not the order let through', () => {
    const facts = { account_id: '42', symbol: 'AAPL', strategy: 'm', side: 'BUY', qty: 1, price: 1 }
    const valid = balanced({
      orders: [{ ...order(0, 0, 'o1'), facts }, order(0, 1, 'o2'), { ...order(1, 0, 'o3'), facts }],
    })
    expect(kinds(valid)).toEqual(['DEAD_LETTER_OF_AN_ORDER o3 orders.v1 1:0'])
    const forwarded = balanced({
      orders: [{ ...order(0, 0, 'o1'), facts }, order(0, 1, 'o2'), order(1, 0, undefined)],
      gated: [{ at: '0:0', order_id: 'o1', ts: T + 10, facts: { ...facts, qty: 9999 } }],
    })
    expect(kinds(forwarded)).toEqual(['GATED_NOT_AS_ORDERED o1 orders.gated.v1 0:0'])
    expect(kinds({ ...forwarded, gated: [{ at: '0:0', order_id: 'o1', ts: T + 10, facts }] })).toEqual([])
  })

  it('counts a decision stamped in the future for nothing, and says so', () => {
    const future = decision('5:5', undefined, 'ghost-fwd', { ts: T + 86_400_000 * 365 })
    const input = balanced({
      decisions: [...balanced().decisions, future],
      gated: [...balanced().gated, { at: '0:9', order_id: 'ghost-fwd', ts: T + 30 }],
    })
    expect(kinds(input)).toEqual([
      'DAMAGED_RECORD ghost-fwd audit.v1 5:5',
      'GATED_NOT_ALLOWED ghost-fwd orders.gated.v1 0:9',
    ])
  })

  it('judges a forward made in the period only, not one before or after it', () => {
    expect(
      kinds(
        balanced({
          gated: [
            ...balanced().gated,
            { at: '0:1', order_id: 'old', ts: T - 5 },
            { at: '0:2', order_id: 'later', ts: T + 60_001 },
          ],
        }),
      ),
    ).toEqual([])
  })

  it("finds an ALLOW of a killed scope once the KILL has had its grace, in any of the order's scopes", () => {
    const late = decision('0:0', '0:0', 'o1', { account_id: '7', ts: T + 1_500 })
    expect(kinds(balanced({ decisions: [late, balanced().decisions[1]!] }))).toEqual([
      'ALLOW_AFTER_KILL o1 audit.v1 0:0',
    ])
    // Within the grace, the router may not have seen it yet.
    const early = decision('0:0', '0:0', 'o1', { account_id: '7', ts: T + 900 })
    expect(kinds(balanced({ decisions: [early, balanced().decisions[1]!] }))).toEqual([])
    // A KILL of the symbol or of everything counts as much as one of the account.
    for (const scope of ['SYMBOL:AAPL', 'GLOBAL', 'STRATEGY:m']) {
      expect(kinds(balanced({ changes: [{ scope, status: 'KILLED', ts: T - 5_000 }] })), scope).toEqual([
        'ALLOW_AFTER_KILL o1 audit.v1 0:0',
      ])
    }
    // Not after an UNKILL, nor once an UNKILL has been applied since the KILL (inside the grace).
    expect(
      kinds(
        balanced({
          changes: [
            { scope: 'SYMBOL:AAPL', status: 'KILLED', ts: T - 5_000 },
            { scope: 'SYMBOL:AAPL', status: 'ACTIVE', ts: T - 4_000 },
          ],
        }),
      ),
    ).toEqual([])
    expect(
      kinds(
        balanced({
          changes: [
            { scope: 'SYMBOL:AAPL', status: 'KILLED', ts: T - 5_000 },
            { scope: 'SYMBOL:AAPL', status: 'ACTIVE', ts: T + 5 },
          ],
        }),
      ),
    ).toEqual([])
    // A throttle is no kill.
    expect(
      kinds(balanced({ changes: [{ scope: 'SYMBOL:AAPL', status: 'THROTTLED', ts: T - 5_000 }] })),
    ).toEqual([])
  })

  it('reports a damaged record as a break', () => {
    expect(kinds(balanced({ damaged: [{ topic: 'audit.v1', at: '2:9', error: 'not JSON' }] }))).toEqual([
      'DAMAGED_RECORD - audit.v1 2:9',
    ])
  })

  it('places a decision written before positions were recorded by its order_id, the first copy first', () => {
    const input = balanced({
      orders: [order(0, 0, 'o1'), order(0, 1, 'o1')],
      decisions: [
        decision('0:0', undefined, 'o1'),
        decision('0:1', undefined, 'o1', { decision: 'DUPLICATE', check: 'DUPLICATE_ORDER_ID' }),
      ],
      letters: [],
      changes: [],
    })
    expect(reconcile(input)).toMatchObject({
      balanced: true,
      decided: 2,
      by_decision: { ALLOW: 1, DUPLICATE: 1 },
    })
  })
})
