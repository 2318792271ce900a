import { describe, expect, it } from 'vitest'
import {
  bucketMsFor,
  episodesOf,
  killActivity,
  ratesOf,
  type ControlAction,
} from '../../../src/domain/kill-activity.js'

const T = Date.UTC(2026, 11, 7, 10, 0, 0)

function action(
  ts: number,
  kind: string,
  scope: string,
  corr: string,
  overrides: Partial<ControlAction> = {},
): ControlAction {
  return {
    ts,
    action: kind,
    scope,
    corr_id: corr,
    cmd_id: `cmd-${corr}`,
    who: 'local:alice',
    reason: 'why',
    sent_ts: ts - 5,
    ...overrides,
  }
}

describe('kill activity', () => {
  it("holds a kill until its scope's next change, and counts what it dropped, their notional and its time to block", () => {
    const actions = [
      action(T, 'KILL', 'ACCOUNT:1', 'k1', { who: 'detector', sent_ts: T - 20 }),
      action(T + 500, 'KILL', 'ACCOUNT:2', 'k2'),
      action(T + 60_000, 'UNKILL', 'ACCOUNT:1', 'u1', { who: 'local:bob' }),
      action(T + 70_000, 'SET_LIMITS', 'ACCOUNT:1', 'l1'),
    ]
    const drops = [
      { corr_id: 'k1', scopes: ['ACCOUNT:1'], ts: T + 30, notional: 1000.105 },
      { corr_id: 'k1', scopes: ['ACCOUNT:1', 'SYMBOL:X'], ts: T + 10, notional: 2000 },
      { corr_id: 'k1', scopes: ['ACCOUNT:1'], ts: T + 90, notional: undefined },
      { corr_id: 'other', scopes: ['ACCOUNT:1'], ts: T + 90, notional: 5 },
    ]
    const [first, second] = episodesOf(actions, drops, T - 1000, T + 120_000)
    expect(first).toMatchObject({
      scope: 'ACCOUNT:1',
      ended_ts: T + 60_000,
      ended_by: 'UNKILL by local:bob',
      duration_ms: 60_000,
      orders_dropped: 3,
      notional_stopped: 3000.11,
      first_drop_ts: T + 10,
      time_to_block_ms: 30,
    })
    // Still in force at the end, and no order came to be dropped.
    expect(second).toMatchObject({
      scope: 'ACCOUNT:2',
      ended_ts: undefined,
      duration_ms: undefined,
      orders_dropped: 0,
      time_to_block_ms: undefined,
    })
    expect(episodesOf(actions, drops, T - 1000, T + 30_000)[0]).toMatchObject({
      ended_ts: undefined,
      duration_ms: undefined,
    })
  })

  it('ends a throttle at a KILL of the same scope, and lists a limits change as no episode', () => {
    const episodes = episodesOf(
      [
        action(T, 'THROTTLE', 'SYMBOL:X', 't1'),
        action(T + 10, 'SET_LIMITS', 'SYMBOL:X', 'l1'),
        action(T + 20, 'KILL', 'SYMBOL:X', 'k1'),
      ],
      [],
      T,
      T + 100,
    )
    expect(episodes.map((e) => [e.action, e.duration_ms])).toEqual([
      ['THROTTLE', 20],
      ['KILL', undefined],
    ])
  })

  it('keeps two kills that share a corr_id apart by scope', () => {
    const actions = [action(T, 'KILL', 'ACCOUNT:777', 'same'), action(T + 1, 'KILL', 'ACCOUNT:888', 'same')]
    const drops = [
      { corr_id: 'same', scopes: ['ACCOUNT:777'], ts: T + 10, notional: 100 },
      { corr_id: 'same', scopes: ['ACCOUNT:777'], ts: T + 11, notional: 100 },
      { corr_id: 'same', scopes: ['ACCOUNT:888'], ts: T + 12, notional: 50 },
    ]
    expect(
      episodesOf(actions, drops, T, T + 1000).map((e) => [e.scope, e.orders_dropped, e.notional_stopped]),
    ).toEqual([
      ['ACCOUNT:777', 2, 200],
      ['ACCOUNT:888', 1, 50],
    ])
  })

  it('counts an order dropped under two kills that share a corr_id once in the totals', () => {
    const actions = [action(T, 'KILL', 'ACCOUNT:7', 'same'), action(T + 1, 'KILL', 'SYMBOL:X', 'same')]
    const drops = [
      { at: '0:1', corr_id: 'same', scopes: ['ACCOUNT:7', 'SYMBOL:X'], ts: T + 10, notional: 100 },
      { at: '0:2', corr_id: 'same', scopes: ['SYMBOL:X'], ts: T + 11, notional: 50 },
    ]
    const activity = killActivity(actions, drops, T, T + 1000)
    expect(activity.episodes.map((e) => e.orders_dropped)).toEqual([1, 2])
    expect(activity).toMatchObject({ orders_dropped: 2, notional_stopped: 150 })
  })

  it('counts a kill applied before the period and still in force at its start, for what it stopped in the period only', () => {
    const actions = [
      action(T - 5_000, 'KILL', 'ACCOUNT:1', 'k1'),
      action(T - 9_000, 'KILL', 'ACCOUNT:2', 'k2'),
      action(T - 8_000, 'UNKILL', 'ACCOUNT:2', 'u2'),
    ]
    const drops = [
      { corr_id: 'k1', scopes: ['ACCOUNT:1'], ts: T - 4_000, notional: 1 },
      { corr_id: 'k1', scopes: ['ACCOUNT:1'], ts: T + 10, notional: 1 },
      { corr_id: 'k1', scopes: ['ACCOUNT:1'], ts: T + 2_000, notional: 1 },
    ]
    const episodes = episodesOf(actions, drops, T, T + 1_000)
    expect(episodes).toHaveLength(1)
    expect(episodes[0]).toMatchObject({
      scope: 'ACCOUNT:1',
      before_period: true,
      orders_dropped: 1,
      time_to_block_ms: undefined,
    })
  })

  it("times the block from the command's sending only when its clock agrees with the aggregator's", () => {
    const drop = (corr: string) => ({ corr_id: corr, scopes: ['ACCOUNT:1'], ts: T + 40, notional: 1 })
    const timed = (sent: number) =>
      episodesOf([action(T, 'KILL', 'ACCOUNT:1', 'k', { sent_ts: sent })], [drop('k')], T - 1, T + 1000)[0]!
        .time_to_block_ms
    expect(timed(T - 20)).toBe(60)
    // Two hours slow, or five minutes fast: from the aggregator's apply instead.
    expect(timed(T - 7_200_000)).toBe(40)
    expect(timed(T + 300_000)).toBe(40)
  })

  it('fills every bucket between the first and the last, as orders per second', () => {
    const counts = [
      { start_ms: T, decision: 'ALLOW' as const, count: 5 },
      { start_ms: T + 3_000, decision: 'DROP' as const, count: 2 },
      { start_ms: T + 3_000, decision: 'ALLOW' as const, count: 1 },
    ]
    expect(ratesOf(counts, 1000).map((b) => [b.start_ms - T, b.allowed_per_s, b.dropped_per_s])).toEqual([
      [0, 5, 0],
      [1000, 0, 0],
      [2000, 0, 0],
      [3000, 1, 2],
    ])
    expect(ratesOf([{ start_ms: T, decision: 'DROP', count: 120 }], 60_000)[0]!.dropped_per_s).toBe(2)
    expect(ratesOf([], 1000)).toEqual([])
  })

  it('keeps a chart to a few thousand points whatever the period', () => {
    expect(bucketMsFor(3_600_000)).toBe(1000)
    expect(bucketMsFor(86_400_000)).toBe(60_000)
    expect(bucketMsFor(30 * 86_400_000)).toBe(3_600_000)
  })
})
