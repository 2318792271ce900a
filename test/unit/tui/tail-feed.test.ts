import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ORDERS, TOPICS } from '../../../topologies/topics.js'
import { openEmbeddedLog } from '../../../src/log/embedded/embedded-log.js'
import type { EventLog } from '../../../src/log/port.js'
import { createTailSource } from '../../../src/services/tail-source.js'
import { feedTailView } from '../../../src/tui/tail-feed.js'
import { TailView } from '../../../src/tui/tail-view.js'
import { waitFor } from './wait-for.js'

const order = (id: string) => ({
  key: '12345',
  value: Buffer.from(
    JSON.stringify({
      order_id: id,
      ts: 1,
      account_id: '12345',
      symbol: 'AAPL',
      side: 'BUY',
      qty: 1,
      price: 1,
      strategy: 's',
    }),
  ),
})

describe('feedTailView (real embedded log)', () => {
  let dir: string
  let log: EventLog

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'riskctl-tui-feed-'))
    log = await openEmbeddedLog({ dataDir: path.join(dir, 'data') })
    await log.createTopics(TOPICS)
  })
  afterEach(async () => {
    await log.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('fills the view in the background, takes nothing while paused, catches up on resume and stops on abort', async () => {
    // Given a view following orders from the beginning
    await log.produce(ORDERS, [order('a'), order('b')])
    const view = new TailView({ topics: [ORDERS], startedAt: Date.now() })
    const stop = new AbortController()
    let paused = false
    const feed = feedTailView(createTailSource(log, 'tester').follow([ORDERS], { type: 'earliest' }, stop.signal), view, {
      signal: stop.signal,
      isPaused: () => paused,
      pauseCheckMs: 20,
    })
    const pane = view.panes[0]!
    await waitFor(
      () => (pane.count === 2 ? true : undefined),
      () => `count ${pane.count}`,
    )

    // When it is paused and records arrive, the feed takes none of them (pausing happens between records)
    paused = true
    await log.produce(ORDERS, [order('c')])
    await waitFor(
      () => (pane.count === 3 ? true : undefined),
      () => `count ${pane.count}`,
    )
    const versionWhilePaused = view.version
    await log.produce(ORDERS, [order('d'), order('e')])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(view.version).toBe(versionWhilePaused)

    // Then on resume it catches up without losing any
    paused = false
    await waitFor(
      () => (pane.count === 5 ? true : undefined),
      () => `count ${pane.count}`,
    )
    expect(pane.entries(5).map((entry) => (entry.record.value as { order_id: string }).order_id)).toEqual([
      'e',
      'd',
      'c',
      'b',
      'a',
    ])

    // And aborting ends the feed (its consumer closed by the tail service)
    stop.abort()
    await expect(feed).resolves.toBeUndefined()
  })
})
