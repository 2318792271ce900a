import { describe, expect, it } from 'vitest'
import { demoKeyAction, keysHelp } from '../../../src/tui/demo/demo-keys.js'

const presenting = { auto: false, isLast: false }

describe('demoKeyAction', () => {
  it('maps Enter and space to next, b to back, r to rerun, q and Ctrl+C to quit', () => {
    expect(demoKeyAction({ input: '\r', enter: true }, presenting)).toBe('next')
    expect(demoKeyAction({ input: ' ' }, presenting)).toBe('next')
    expect(demoKeyAction({ input: 'b' }, presenting)).toBe('back')
    expect(demoKeyAction({ input: 'r' }, presenting)).toBe('rerun')
    expect(demoKeyAction({ input: 'q' }, presenting)).toBe('quit')
    expect(demoKeyAction({ input: 'c', ctrl: true }, presenting)).toBe('interrupt')
    expect(demoKeyAction({ input: 'x' }, presenting)).toBeUndefined()
    expect(demoKeyAction({ input: 'b', ctrl: true }, presenting)).toBeUndefined()
  })

  it('finishes on Enter at the last part', () => {
    expect(demoKeyAction({ input: '\r', enter: true }, { auto: false, isLast: true })).toBe('finish')
  })

  it('leaves only quitting to the presenter when unattended', () => {
    const auto = { auto: true, isLast: false }
    expect(demoKeyAction({ input: '\r', enter: true }, auto)).toBeUndefined()
    expect(demoKeyAction({ input: 'b' }, auto)).toBeUndefined()
    expect(demoKeyAction({ input: 'q' }, auto)).toBe('quit')
    expect(keysHelp(auto)).toBe('running unattended · q quit')
  })

  it('names the keys as they act now', () => {
    expect(keysHelp(presenting)).toBe('Enter next · b back · r rerun · q quit')
    expect(keysHelp({ auto: false, isLast: true })).toBe('Enter finish · b back · r rerun · q quit')
  })
})
