import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { listenForInterrupt } from '../../../src/cli/interrupt.js'

const FIXTURE = fileURLToPath(new URL('./interrupt-fixture.ts', import.meta.url))

describe('listenForInterrupt', () => {
  it('aborts its signal on the first SIGINT, and lets the second end the process by the signal itself', async () => {
    const child = execa('node', ['--import', 'tsx', FIXTURE], { reject: false, stdin: 'ignore' })
    let output = ''
    const shows = (text: string) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (output.includes(text)) resolve()
        }
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          check()
        })
        check()
      })
    await shows('listening')
    // Given a first Ctrl+C: the command is asked to stop, and the process goes on while it does.
    child.kill('SIGINT')
    await shows('stopping')
    expect(child.exitCode).toBeNull()
    // When a second one comes, the process ends as an uncaught SIGINT ends it: the shell reports 130.
    child.kill('SIGINT')
    const ended = await child
    expect(ended.signal).toBe('SIGINT')
    expect(ended.exitCode).toBeUndefined()
  })

  it('removes its listeners when disposed, and then no longer aborts', () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }
    const interruption = listenForInterrupt()
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1)
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1)
    interruption.dispose()
    expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before)
    expect(interruption.interrupted()).toBe(false)
  })
})
