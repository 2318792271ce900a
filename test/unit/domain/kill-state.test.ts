import { describe, expect, it } from 'vitest'
import type { KillCommand } from '../../../src/domain/kill-command.js'
import type { KillState } from '../../../src/domain/kill-status.js'
import { killCommandSchema, killStateSchema } from '../../../src/contracts/messages.js'
import { KillStateTable } from '../../../src/domain/kill-state-table.js'
import {
  applyCommand,
  commandIdentity,
  RecentIds,
  RESTORING_SOURCES,
  type ApplyOutcome,
} from '../../../src/domain/kill-state.js'

const T = Date.UTC(2024, 2, 9, 12, 0, 0)

function command(overrides: Partial<KillCommand> = {}): KillCommand {
  return {
    cmd_id: 'cmd-1',
    ts: T,
    scope: 'ACCOUNT:12345',
    action: 'KILL',
    reason: 'Order rate breach: 150 orders in 60s',
    triggered_by: 'detector',
    metric: 'order_rate_60s',
    value: 150,
    corr_id: 'corr-1',
    ...overrides,
  }
}

/** The aggregator loop around the reducer: apply, publish into the table, remember the id. */
function aggregate(commands: readonly KillCommand[]) {
  const table = new Map<string, KillState>()
  const seen = new RecentIds(1_000)
  const outcomes: ApplyOutcome[] = []
  for (const cmd of commands) {
    const outcome = applyCommand(table, (id) => seen.has(id), cmd)
    outcomes.push(outcome)
    if (outcome.type === 'applied') table.set(outcome.state.scope, outcome.state)
    seen.add(commandIdentity(cmd))
  }
  return { table, outcomes }
}

function applied(outcome: ApplyOutcome): KillState {
  if (outcome.type !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(outcome)}`)
  return outcome.state
}

describe('applyCommand', () => {
  it('turns a detector KILL into a KILLED state carrying its ids and reason', () => {
    const state = applied(applyCommand(new Map(), () => false, command()))
    expect(state).toEqual({
      scope: 'ACCOUNT:12345',
      status: 'KILLED',
      updated_ts: T,
      updated_by: 'detector',
      reason: 'Order rate breach: 150 orders in 60s',
      last_cmd_id: 'cmd-1',
      corr_id: 'corr-1',
    })
    expect(killStateSchema.safeParse(state).success).toBe(true)
  })

  it('turns an operator UNKILL into ACTIVE, recorded as the operator', () => {
    const unkill = command({
      cmd_id: 'cmd-2',
      action: 'UNKILL',
      triggered_by: 'operator',
      operator: 'demo_operator',
      reason: 'Manual override after investigation',
      corr_id: 'corr-2',
    })
    const state = applied(applyCommand(new Map(), () => false, unkill))
    expect(state).toMatchObject({
      status: 'ACTIVE',
      updated_by: 'demo_operator',
      last_cmd_id: 'cmd-2',
      corr_id: 'corr-2',
    })
    expect(state).not.toHaveProperty('max_orders_per_sec')
  })

  it('turns an operator THROTTLE into THROTTLED with its cap', () => {
    const throttle = command({
      action: 'THROTTLE',
      triggered_by: 'operator',
      operator: 'ops',
      max_orders_per_sec: 5,
    })
    const state = applied(applyCommand(new Map(), () => false, throttle))
    expect(state).toMatchObject({ status: 'THROTTLED', max_orders_per_sec: 5, updated_by: 'ops' })
    expect(killStateSchema.safeParse(state).success).toBe(true)
  })

  it('refuses a THROTTLE without a cap rather than inventing one', () => {
    const outcome = applyCommand(
      new Map(),
      () => false,
      command({ action: 'THROTTLE', triggered_by: 'operator', operator: 'ops' }),
    )
    expect(outcome).toEqual({ type: 'refused', reason: expect.stringMatching(/max_orders_per_sec/) })
  })

  it.each(
    [
      'detector',
      'spark',
      'Detector',
      'detector\u200b',
      ' operator',
      'Operator',
      'cli',
      'console',
      'x',
    ].flatMap((source) => [
      [source, 'UNKILL'],
      [source, 'THROTTLE'],
    ]) as [string, 'UNKILL' | 'THROTTLE'][],
  )('refuses %j asking to %s: only the operator channel may restore', (source, action) => {
    const outcome = applyCommand(
      new Map(),
      () => false,
      command({ triggered_by: source, action, max_orders_per_sec: 10, operator: 'someone' }),
    )
    expect(outcome).toEqual({
      type: 'refused',
      reason: `only an operator can ${action}; ${JSON.stringify(source)} may only KILL`,
    })
  })

  it('lets only the operator channel restore, and only with a well-formed operator', () => {
    expect([...RESTORING_SOURCES]).toEqual(['operator'])
    const unkill = (operator: string | undefined) =>
      applyCommand(
        new Map(),
        () => false,
        command({
          action: 'UNKILL',
          triggered_by: 'operator',
          ...(operator === undefined ? {} : { operator }),
        }),
      )
    expect(unkill('alice').type).toBe('applied')
    for (const operator of [undefined, 'ali ce', 'alice\u200b', 'ａｌｉｃｅ', '-alice']) {
      expect(unkill(operator)).toEqual({
        type: 'refused',
        reason: expect.stringMatching(/must name its operator/),
      })
    }
  })

  it('applies a reused cmd_id for another scope or action: the whole command is its identity', () => {
    const { table, outcomes } = aggregate([
      command({ scope: 'ACCOUNT:1' }),
      command({ scope: 'ACCOUNT:2' }),
      command({ scope: 'SYMBOL:TSLA' }),
      command({ scope: 'ACCOUNT:2' }),
    ])
    expect(outcomes.map((o) => o.type)).toEqual(['applied', 'applied', 'applied', 'duplicate'])
    expect([...table.keys()].sort()).toEqual(['ACCOUNT:1', 'ACCOUNT:2', 'SYMBOL:TSLA'])
  })

  it('refuses an UNKILL or THROTTLE older than the state it would undo, but never a KILL for its age', () => {
    const { table } = aggregate([command({ ts: T + 60_000 })])
    const staleUnkill = command({
      cmd_id: 'u-1',
      ts: T,
      action: 'UNKILL',
      triggered_by: 'operator',
      operator: 'ops',
    })
    expect(applyCommand(table, () => false, staleUnkill)).toEqual({
      type: 'refused',
      reason: expect.stringMatching(/^stale/),
    })
    const staleThrottle = {
      ...staleUnkill,
      cmd_id: 't-1',
      action: 'THROTTLE' as const,
      max_orders_per_sec: 5,
    }
    expect(applyCommand(table, () => false, staleThrottle).type).toBe('refused')
    const unkill = applied(
      applyCommand(table, () => false, { ...staleUnkill, cmd_id: 'u-2', ts: T + 61_000 }),
    )
    table.set(unkill.scope, unkill)
    expect(applyCommand(table, () => false, command({ cmd_id: 'k-old', ts: T })).type).toBe('applied')
  })

  it('leaves a scope that already has what a command asks for as it is, when asked to (unless_already)', () => {
    // Given a scope KILLED by the detector.
    const operator = { triggered_by: 'operator', operator: 'ops' }
    const { table, outcomes } = aggregate([
      command(),
      // When an operator kills it again, unless it is already killed: nothing changes, and the trail says why.
      command({ cmd_id: 'k-2', corr_id: 'c-2', reason: 'again', ...operator, unless_already: true }),
      // Without the condition a second KILL is applied, as it always was.
      command({ cmd_id: 'k-3', corr_id: 'c-3', reason: 'and again', ...operator }),
    ])
    expect(outcomes[1]).toEqual({
      type: 'duplicate',
      reason: 'ACCOUNT:12345 is already KILLED: left as it is',
    })
    expect(outcomes[2]?.type).toBe('applied')
    expect(table.get('ACCOUNT:12345')).toMatchObject({ last_cmd_id: 'k-3', reason: 'and again' })
    // An UNKILL of a scope never killed, and a THROTTLE at the cap in force, change nothing either; another cap does.
    const restore = { ...operator, unless_already: true }
    expect(applyCommand(new Map(), () => false, command({ action: 'UNKILL', ...restore })).type).toBe(
      'duplicate',
    )
    const throttled = aggregate([command({ action: 'THROTTLE', max_orders_per_sec: 5, ...operator })]).table
    expect(
      applyCommand(
        throttled,
        () => false,
        command({ cmd_id: 't-2', action: 'THROTTLE', max_orders_per_sec: 5, ...restore }),
      ).type,
    ).toBe('duplicate')
    expect(
      applyCommand(
        throttled,
        () => false,
        command({ cmd_id: 't-3', action: 'THROTTLE', max_orders_per_sec: 9, ...restore }),
      ).type,
    ).toBe('applied')
    // A refusal still comes first: the condition never lets a detector's UNKILL pass for a no-op.
    expect(
      applyCommand(new Map(), () => false, command({ action: 'UNKILL', unless_already: true })).type,
    ).toBe('refused')
    expect(killCommandSchema.parse(command({ unless_already: true })).unless_already).toBe(true)
  })

  it('stamps a state no later than the aggregator clock, so a KILL from the future cannot block UNKILLs', () => {
    const state = applied(applyCommand(new Map(), () => false, command({ ts: T + 3_600_000 }), T))
    expect(state.updated_ts).toBe(T)
  })

  it('leaves state untouched when a detector UNKILL follows its KILL', () => {
    const { table, outcomes } = aggregate([
      command(),
      command({ cmd_id: 'cmd-2', action: 'UNKILL', reason: 'cooled down', corr_id: 'corr-2' }),
    ])
    expect(outcomes.map((o) => o.type)).toEqual(['applied', 'refused'])
    expect(table.get('ACCOUNT:12345')).toMatchObject({ status: 'KILLED', last_cmd_id: 'cmd-1' })
  })

  it('changes nothing when a cmd_id is replayed, even after an UNKILL moved the state on', () => {
    const kill = command()
    const unkill = command({
      cmd_id: 'cmd-2',
      action: 'UNKILL',
      triggered_by: 'operator',
      operator: 'ops',
      corr_id: 'c2',
    })
    const { table, outcomes } = aggregate([kill, unkill, kill, unkill])
    expect(outcomes.map((o) => o.type)).toEqual(['applied', 'applied', 'duplicate', 'duplicate'])
    expect(table.get('ACCOUNT:12345')).toMatchObject({ status: 'ACTIVE', last_cmd_id: 'cmd-2' })
  })

  it('spots the replay of the last applied command after a restart forgot the ids', () => {
    const { table } = aggregate([command()])
    expect(applyCommand(table, () => false, command())).toEqual({
      type: 'duplicate',
      reason: expect.stringMatching(/already handled/),
    })
    expect(applyCommand(table, () => false, command({ cmd_id: 'cmd-9' })).type).toBe('applied')
  })

  it('builds states the state topic accepts for every applied command', () => {
    const commands = [
      command({ scope: 'GLOBAL', triggered_by: 'cli', operator: 'ops' }),
      command({
        cmd_id: 'cmd-3',
        scope: 'SYMBOL:AAPL',
        action: 'THROTTLE',
        triggered_by: 'operator',
        operator: 'ops',
        max_orders_per_sec: 2,
      }),
    ]
    for (const cmd of commands) {
      expect(killCommandSchema.safeParse(cmd).success).toBe(true)
      expect(killStateSchema.safeParse(applied(applyCommand(new Map(), () => false, cmd))).success).toBe(true)
    }
  })
})

describe('times no Date can hold', () => {
  it('refuse a stale UNKILL without throwing, whatever the times', () => {
    const table = new Map<string, KillState>([
      [
        'ACCOUNT:1',
        {
          scope: 'ACCOUNT:1',
          status: 'KILLED',
          updated_ts: 8.64e15,
          updated_by: 'a',
          reason: 'r',
          last_cmd_id: 'k',
          corr_id: 'k',
        },
      ],
    ])
    const unkill = command({
      scope: 'ACCOUNT:1',
      action: 'UNKILL',
      triggered_by: 'operator',
      operator: 'ops',
      cmd_id: 'u',
    })
    expect(applyCommand(table, () => false, unkill)).toEqual({
      type: 'refused',
      reason: expect.stringMatching(/^stale/),
    })
  })

  it('has bad state tighten a scope, never loosen it', async () => {
    const { mayReplace } = await import('../../../src/domain/kill-state.js')
    const at = (status: KillState['status']): KillState => ({
      scope: 'GLOBAL',
      status,
      updated_ts: T,
      updated_by: 'a',
      reason: 'r',
      last_cmd_id: 'k',
      corr_id: 'k',
    })
    expect(mayReplace(undefined, at('ACTIVE'))).toBe(true)
    expect(mayReplace(at('ACTIVE'), at('THROTTLED'))).toBe(true)
    expect(mayReplace(at('THROTTLED'), at('KILLED'))).toBe(true)
    expect(mayReplace(at('KILLED'), at('THROTTLED'))).toBe(false)
    expect(mayReplace(at('THROTTLED'), at('ACTIVE'))).toBe(false)
  })
})

describe('KillStateTable at scale', () => {
  it('lists and counts three hundred thousand scopes without overflowing the stack', () => {
    const table = new KillStateTable()
    const count = 300_000
    for (let i = 0; i < count; i += 1) {
      table.apply({
        scope: `ACCOUNT:a${i}`,
        status: i % 2 === 0 ? 'KILLED' : 'ACTIVE',
        updated_ts: 1,
        updated_by: 'alice',
        reason: 'scale',
        last_cmd_id: `c${i}`,
        corr_id: `k${i}`,
      })
    }
    expect(table.all()).toHaveLength(count)
    expect(table.activeKills()).toHaveLength(count / 2)
  })
})
