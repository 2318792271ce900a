import { describe, expect, it } from 'vitest'
import type { KeyPress } from '../../../src/tui/key-press.js'
import { reduceKey, type KeyResult } from '../../../src/tui/key-reducer.js'
import { PaneBuffer } from '../../../src/tui/pane-buffer.js'
import { initialUiState, type UiState } from '../../../src/tui/ui-state.js'
import { audit, command, order, tailRecord } from './records.js'

function panesWith(...contents: Parameters<PaneBuffer['push']>[0][][]): PaneBuffer[] {
  return contents.map((records, index) => {
    const pane = new PaneBuffer({ topic: `topic-${index}`, startedAt: 0 })
    for (const record of records) pane.push(record, 0)
    return pane
  })
}

/** Presses keys in order and returns the last result. */
function press(
  panes: readonly PaneBuffer[],
  keys: readonly KeyPress[],
  from: UiState = initialUiState(panes.length),
): KeyResult {
  let result: KeyResult = { state: from }
  for (const key of keys) result = reduceKey(result.state, key, panes)
  return result
}

const key = (input: string, extra: Omit<KeyPress, 'input'> = {}): KeyPress => ({ input, ...extra })
const TAB = key('', { tab: true })
const UP = key('', { up: true })
const DOWN = key('', { down: true })
const ENTER = key('\r', { enter: true })
const ESC = key('', { escape: true })

describe('reduceKey: focus and selection', () => {
  const panes = panesWith([order('1'), order('2'), order('3')], [audit('DROP')], [])

  it('moves focus with Tab and the arrows, wrapping around', () => {
    expect(press(panes, [TAB]).state.focus).toBe(1)
    expect(press(panes, [TAB, TAB, TAB]).state.focus).toBe(0)
    expect(press(panes, [key('', { left: true })]).state.focus).toBe(2)
    expect(press(panes, [key('', { right: true }), key('', { right: true })]).state.focus).toBe(2)
    expect(press(panes, [key('', { tab: true, shift: true })]).state.focus).toBe(2)
  })

  it('selects the newest record first, then older with down and newer with up, within the buffer', () => {
    expect(press(panes, [DOWN]).state.selected[0]).toBe(2)
    expect(press(panes, [DOWN, DOWN, DOWN, DOWN]).state.selected[0]).toBe(0)
    expect(press(panes, [DOWN, DOWN, UP, UP, UP]).state.selected[0]).toBe(2)
  })

  it('keeps a selection per pane and clears the focused one with Esc', () => {
    const state = press(panes, [DOWN, DOWN, TAB, DOWN]).state
    expect(state.selected).toEqual([1, 0, undefined])
    expect(press(panes, [ESC], state).state.selected).toEqual([1, undefined, undefined])
  })

  it('does nothing on up/down in an empty pane', () => {
    expect(press(panes, [TAB, TAB, DOWN]).state.selected[2]).toBeUndefined()
  })
})

describe('reduceKey: expanding, pausing and quitting', () => {
  const records = [order('1'), order('2')]
  const panes = panesWith(records)

  it('expands the selected record with Enter and closes it with Esc or Enter', () => {
    const open = press(panes, [DOWN, DOWN, ENTER]).state
    expect(open.mode).toEqual({ type: 'detail', record: records[0] })
    expect(press(panes, [ESC], open).state.mode.type).toBe('browse')
    expect(press(panes, [ENTER], open).state.mode.type).toBe('browse')
  })

  it('asks for a selection when Enter, k or u find none', () => {
    for (const input of [ENTER, key('k'), key('u')]) {
      const result = press(panes, [input])
      expect(result.state.mode.type).toBe('browse')
      expect(result.state.status?.text).toMatch(/Select a record/)
    }
  })

  it('toggles pause with p', () => {
    const paused = press(panes, [key('p')]).state
    expect(paused.paused).toBe(true)
    expect(press(panes, [key('p')], paused).state.paused).toBe(false)
  })

  it('quits on q and Ctrl+C, and Ctrl+C even while typing a reason', () => {
    expect(press(panes, [key('q')]).effect).toEqual({ type: 'quit' })
    expect(press(panes, [key('c', { ctrl: true })]).effect).toEqual({ type: 'quit', interrupted: true })
    expect(press(panes, [DOWN, key('k'), key('c', { ctrl: true })]).effect).toEqual({ type: 'quit', interrupted: true })
  })
})

describe('reduceKey: kill and unkill', () => {
  it('asks for a reason for the selected account and publishes it on Enter', () => {
    const panes = panesWith([order('12345')])
    const asking = press(panes, [DOWN, key('k')]).state
    expect(asking.mode).toEqual({ type: 'reason', action: 'KILL', scope: 'ACCOUNT:12345', text: '' })
    // While the prompt is open, letters are text: q and p do not quit or pause.
    const typed = press(
      panes,
      [key('q'), key('p'), key('x'), key('', { backspace: true }), key(' runaway')],
      asking,
    )
    expect(typed.effect).toBeUndefined()
    expect(typed.state.mode).toMatchObject({ text: 'qp runaway' })
    const sent = press(panes, [ENTER], typed.state)
    expect(sent.effect).toEqual({
      type: 'publish',
      request: { action: 'KILL', scope: 'ACCOUNT:12345', reason: 'qp runaway' },
    })
    expect(sent.state.mode.type).toBe('browse')
  })

  it('unkills the scope a command or state record names', () => {
    const panes = panesWith([command('SYMBOL:GME', 'KILL')])
    expect(press(panes, [DOWN, key('u')]).state.mode).toMatchObject({ action: 'UNKILL', scope: 'SYMBOL:GME' })
  })

  it('keeps the prompt open on an empty reason and closes it on Esc without publishing', () => {
    const panes = panesWith([order('1')])
    const empty = press(panes, [DOWN, key('k'), key(' '), ENTER])
    expect(empty.effect).toBeUndefined()
    expect(empty.state.mode.type).toBe('reason')
    expect(empty.state.status?.tone).toBe('error')
    const cancelled = press(panes, [ESC], empty.state)
    expect(cancelled.effect).toBeUndefined()
    expect(cancelled.state.mode.type).toBe('browse')
    expect(cancelled.state.status?.text).toBe('Cancelled.')
  })

  it('refuses a record that names no account or scope', () => {
    const panes = panesWith([
      tailRecord('dlq.v1', { ts: 1, source_topic: 'orders.v1', offset: '3', raw: 'x', error: 'bad' }),
    ])
    const result = press(panes, [DOWN, key('k')])
    expect(result.state.mode.type).toBe('browse')
    expect(result.state.status).toEqual({ tone: 'error', text: 'This record names no account or scope.' })
  })
})
