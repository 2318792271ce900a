import { afterEach, describe, expect, it, vi } from 'vitest'
import { LogError } from '../../../src/log/errors.js'
import { newConnectivity, type Connectivity } from '../../../src/processors/connectivity.js'
import { markConnected, supervise } from '../../../src/processors/supervise.js'

const brokerAway = () => new LogError('RISKCTL_BROKER_UNREACHABLE', 'no answer from 127.0.0.1:9092')
const rebalanced = () => new LogError('RISKCTL_LOG_FAILURE', 'the group rebalanced', { retriable: true })
const noBackoff = () => 0

/** An attempt that plays the given outcomes in turn (an error fails it), then waits for abort. */
function scripted(outcomes: readonly (Error | 'ok')[]) {
  const calls: AbortSignal[] = []
  const attempt = async (signal: AbortSignal): Promise<void> => {
    const outcome = outcomes[calls.length]
    calls.push(signal)
    if (outcome instanceof Error) throw outcome
  }
  return { attempt, calls }
}

describe('supervise', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs the attempt once when it returns, and hands it the signal', async () => {
    const signal = new AbortController().signal
    const { attempt, calls } = scripted(['ok'])
    await supervise(attempt, signal, { connectivity: newConnectivity(), backoffMs: noBackoff })
    expect(calls).toEqual([signal])
  })

  it('starts over after a transient failure and says why it is reconnecting', async () => {
    const connectivity = newConnectivity()
    const states: string[] = []
    let call = 0
    await supervise(
      async () => {
        call += 1
        states.push(`${connectivity.state}:${connectivity.lastError ?? ''}`)
        if (call === 1) throw brokerAway()
        if (call === 2) throw rebalanced()
      },
      new AbortController().signal,
      { connectivity, backoffMs: noBackoff },
    )
    expect(call).toBe(3)
    expect(states).toEqual([
      'connecting:',
      `reconnecting:${brokerAway().message}`,
      'reconnecting:the group rebalanced',
    ])
    expect(connectivity.reconnects).toBe(2)
  })

  it('ends with the error of a failure that is not transient, without another attempt', async () => {
    const fault = new LogError('RISKCTL_TOPIC_NOT_FOUND', 'Topic "orders.v1" does not exist')
    const { attempt, calls } = scripted([fault, 'ok'])
    const connectivity = newConnectivity()
    await expect(
      supervise(attempt, new AbortController().signal, { connectivity, backoffMs: noBackoff }),
    ).rejects.toBe(fault)
    expect(calls).toHaveLength(1)
    expect(connectivity).toEqual(newConnectivity())
  })

  it('treats an error that is not riskctl’s as a bug, not as a broker to wait for', async () => {
    const bug = new TypeError('x is undefined')
    const { attempt, calls } = scripted([bug, 'ok'])
    await expect(
      supervise(attempt, new AbortController().signal, {
        connectivity: newConnectivity(),
        backoffMs: noBackoff,
      }),
    ).rejects.toBe(bug)
    expect(calls).toHaveLength(1)
  })

  it('backs off longer after each failure in a row, and starts over after a healthy stretch', async () => {
    const connectivity = newConnectivity()
    const asked: number[] = []
    let call = 0
    await supervise(
      async () => {
        call += 1
        // Attempts 1-3 fail before connecting; attempt 4 connects, then fails; attempt 5 fails.
        if (call === 4) markConnected(connectivity)
        if (call <= 5) throw brokerAway()
      },
      new AbortController().signal,
      {
        connectivity,
        backoffMs: (n) => {
          asked.push(n)
          return 0
        },
      },
    )
    expect(asked).toEqual([1, 2, 3, 1, 2])
    expect(connectivity.reconnects).toBe(5)
  })

  it('waits 250 ms before the first retry, doubling up to 5 s', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    let calls = 0
    const running = supervise(
      async () => {
        calls += 1
        throw brokerAway()
      },
      controller.signal,
      { connectivity: newConnectivity() },
    )
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toBe(1)
    for (const pauseMs of [250, 500, 1000, 2000, 4000, 5000, 5000]) {
      await vi.advanceTimersByTimeAsync(pauseMs - 1)
      const before = calls
      await vi.advanceTimersByTimeAsync(1)
      expect({ pauseMs, retried: calls - before }).toEqual({ pauseMs, retried: 1 })
    }
    controller.abort()
    await running
  })

  it('stops waiting and returns as soon as it is aborted during a backoff', async () => {
    const controller = new AbortController()
    const { attempt, calls } = scripted([brokerAway(), 'ok'])
    const running = supervise(attempt, controller.signal, {
      connectivity: newConnectivity(),
      backoffMs: () => 60_000,
    })
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    controller.abort()
    const outcome = await Promise.race([
      running.then(() => 'returned'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000)),
    ])
    expect(outcome).toBe('returned')
    expect(calls).toHaveLength(1)
  })

  it('returns quietly when a transient failure comes from being aborted, but reports a real fault', async () => {
    // Stopping closes the log under the attempt: that is not a connection lost.
    const controller = new AbortController()
    const connectivity = newConnectivity()
    markConnected(connectivity)
    await supervise(
      async () => {
        controller.abort()
        throw brokerAway()
      },
      controller.signal,
      { connectivity, backoffMs: noBackoff },
    )
    expect(connectivity).toEqual({ state: 'connected', lastError: undefined, reconnects: 0 })
    const other = new AbortController()
    const fault = new LogError('RISKCTL_TOPIC_NOT_FOUND', 'gone')
    await expect(
      supervise(
        async () => {
          other.abort()
          throw fault
        },
        other.signal,
        { connectivity: newConnectivity(), backoffMs: noBackoff },
      ),
    ).rejects.toBe(fault)
  })

  it('does not start an attempt once aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const { attempt, calls } = scripted(['ok'])
    await supervise(attempt, controller.signal, { connectivity: newConnectivity(), backoffMs: noBackoff })
    expect(calls).toHaveLength(0)
  })
})

describe('markConnected', () => {
  it('marks the processor connected and forgets the last failure, keeping the count', () => {
    const connectivity: Connectivity = { state: 'reconnecting', lastError: 'broker away', reconnects: 3 }
    markConnected(connectivity)
    expect(connectivity).toEqual({ state: 'connected', lastError: undefined, reconnects: 3 })
  })
})
