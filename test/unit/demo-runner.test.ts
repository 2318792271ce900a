import { describe, expect, it } from 'vitest'
import type { DemoContext, DemoEvent, DemoPart } from '../../src/demo/demo-context.js'
import { DemoRunner, type DemoSnapshot } from '../../src/demo/demo-runner.js'
import { walkthrough } from '../../src/demo/walkthrough.js'

function part(id: string, waitMs = 0): DemoPart {
  return {
    id,
    title: `Part ${id}`,
    minutes: 1,
    async run(context) {
      context.emit({ type: 'say', text: `in ${id}` })
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs)
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve()
        })
      })
      if (id === 'bad') context.emit({ type: 'problem', text: 'no KILL', remedies: ['raise the rate'] })
    },
  }
}

function runner(parts: DemoPart[]): { runner: DemoRunner; last: () => DemoSnapshot } {
  let last: DemoSnapshot | undefined
  const instance = new DemoRunner({
    parts,
    context: (signal, emit: (event: DemoEvent) => void) => ({ signal, emit }) as unknown as DemoContext,
    onChange: (snapshot) => {
      last = snapshot
    },
  })
  return { runner: instance, last: () => last! }
}

describe('demo runner', () => {
  it('runs parts in order, marks problems as failed, and finishes after the last', async () => {
    const { runner: r, last } = runner([part('a'), part('bad'), part('c')])
    await r.start()
    await r.next()
    await r.next()
    expect(last().parts.map((p) => p.status)).toEqual(['done', 'failed', 'done'])
    await r.next()
    expect(last().finished).toBe(true)
  })

  it('leaves a running part when the presenter moves on, and keeps only the last of two quick moves', async () => {
    const { runner: r, last } = runner([part('a', 10_000), part('b', 10_000), part('c', 10_000)])
    void r.start()
    await new Promise((resolve) => setTimeout(resolve, 20))
    void r.next()
    void r.next()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const snapshot = last()
    expect(snapshot.current).toBe(2)
    expect(snapshot.events).toEqual([{ type: 'say', text: 'in c' }])
    expect(snapshot.parts.filter((p) => p.status === 'running')).toHaveLength(1)
    await r.quit()
    expect(last().finished).toBe(true)
  })
})

describe('walkthrough variants', () => {
  it('keeps the short and standard variants, and ends the long one with the pre-trade checks after the kill story', () => {
    const ids = (variant: 'short' | 'standard' | 'long') => walkthrough(variant).map((part) => part.id)
    expect(ids('short')).toEqual(['panic', 'enforcement', 'recovery', 'takeaways'])
    expect(ids('standard')).toEqual(['architecture', 'normal', 'panic', 'enforcement', 'recovery', 'compaction', 'takeaways'])
    expect(ids('long')).toEqual(['architecture', 'normal', 'panic', 'enforcement', 'recovery', 'compaction', 'beyond', 'pretrade', 'takeaways'])
  })
})
