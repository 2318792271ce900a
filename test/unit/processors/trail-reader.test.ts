import { describe, expect, it } from 'vitest'
import type { Consumer, LogRecord } from '../../../src/log/port.js'
import type { LogReader } from '../../../src/processors/log-access.js'
import { TrailReader } from '../../../src/processors/trail-reader.js'
import { OPERATOR_ACTIONS } from '../../../topologies/topics.js'

interface Stub {
  readonly reader: LogReader
  readonly opened: unknown[]
  closed: number
  /** Where the consumer stands and where the trail ends: a consumer short of the end is a transaction left open. */
  position: number
  end: number
}

function stub(options: { openMs?: number; failOpen?: boolean } = {}): Stub {
  const state: Stub = {
    opened: [],
    closed: 0,
    position: 0,
    end: 0,
    reader: {
      description: 'stub',
      consumer: async (consumerOptions) => {
        state.opened.push(consumerOptions.from)
        if (options.openMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.openMs))
        if (options.failOpen) throw new Error('topic operator_actions.v1 not found')
        return consumer
      },
      readCompacted: async () => {
        throw new Error('not used')
      },
      committedOffsets: async () => [],
    },
  }
  const consumer: Consumer = {
    poll: async () => {
      await new Promise((resolve) => setImmediate(resolve))
      return [] as LogRecord[]
    },
    commit: async () => undefined,
    positions: () => [{ topic: OPERATOR_ACTIONS, partition: 0, offset: state.position }],
    endOffsets: async () => [{ topic: OPERATOR_ACTIONS, partition: 0, offset: state.end }],
    close: async () => {
      state.closed += 1
    },
  }
  return state
}

describe('TrailReader', () => {
  it('gives up at its deadline with the reason, rather than hold a batch (and its KILLs) behind an open transaction', async () => {
    const trail = stub()
    trail.end = 10
    trail.position = 4
    const reader = new TrailReader(trail.reader, 50)
    expect(await reader.catchUp(1000, () => undefined)).toEqual({ fromMs: 1000, problem: `${OPERATOR_ACTIONS} was not read to its end within 50 ms` })
    // Cut short, it keeps its place: once the transaction ends, the next catch-up goes on without opening again.
    trail.position = 10
    expect(await reader.catchUp(2000, () => undefined)).toEqual({ fromMs: 1000 })
    expect(trail.opened).toEqual([{ type: 'timestamp', timestamp: 1000 }])
    await reader.close()
    expect(trail.closed).toBe(1)
  })

  it('bounds the opening too: a consumer slow to open does not hold the batch past the deadline', async () => {
    const trail = stub({ openMs: 400 })
    const reader = new TrailReader(trail.reader, 50)
    const started = Date.now()
    const coverage = await reader.catchUp(1000, () => undefined)
    expect(coverage.problem).toBe(`${OPERATOR_ACTIONS} was not read to its end within 50 ms`)
    expect(Date.now() - started).toBeLessThan(400)
    // The next ones wait for the one still opening (each up to its own deadline) rather than open a second beside it.
    let next = await reader.catchUp(1000, () => undefined)
    for (let tries = 0; next.problem !== undefined && tries < 40; tries += 1) next = await reader.catchUp(1000, () => undefined)
    expect(next).toEqual({ fromMs: 1000 })
    expect(trail.opened).toHaveLength(1)
    await reader.close()
  })

  it('keeps its consumer, and opens again from a time only for an earlier need', async () => {
    const trail = stub()
    const reader = new TrailReader(trail.reader, 50)
    expect(await reader.catchUp(1000, () => undefined)).toEqual({ fromMs: 1000 })
    expect(await reader.catchUp(2000, () => undefined)).toEqual({ fromMs: 1000 })
    expect(await reader.catchUp(500, () => undefined)).toEqual({ fromMs: 500 })
    expect(trail.opened).toEqual([
      { type: 'timestamp', timestamp: 1000 },
      { type: 'timestamp', timestamp: 500 },
    ])
    expect(trail.closed).toBe(1)
    await reader.close()
  })

  it('returns a consumer that cannot be opened as the problem, never as a throw, and tries again next time', async () => {
    const trail = stub({ failOpen: true })
    const reader = new TrailReader(trail.reader, 50)
    expect(await reader.catchUp(1, () => undefined)).toEqual({ fromMs: 1, problem: 'topic operator_actions.v1 not found' })
    expect(await reader.catchUp(1, () => undefined)).toEqual({ fromMs: 1, problem: 'topic operator_actions.v1 not found' })
    expect(trail.opened).toHaveLength(2)
  })
})
