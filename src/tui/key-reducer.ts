import type { KeyPress } from './key-press.js'
import type { OperatorRequest } from './operator-request.js'
import type { PaneEntry } from './pane-buffer.js'
import { targetScope } from './target-scope.js'
import { withStatus, type UiState } from './ui-state.js'

/** What the reducer needs of a pane: PaneBuffer fits, and so does a stub in a test. */
export interface SelectablePane {
  readonly count: number
  readonly buffered: number
  find(seq: number): PaneEntry | undefined
}

export type UiEffect =
  /** interrupted: Ctrl+C, which ends the command with 130 as it would outside the view; q is a plain quit. */
  | { readonly type: 'quit'; readonly interrupted?: boolean }
  | { readonly type: 'publish'; readonly request: OperatorRequest }

export interface KeyResult {
  readonly state: UiState
  readonly effect?: UiEffect
}

const MAX_REASON_LENGTH = 200
const QUIT: UiEffect = { type: 'quit' }
const INTERRUPT: UiEffect = { type: 'quit', interrupted: true }

/** One key press: the next UI state, and what the caller must do outside it (quit, publish). */
export function reduceKey(state: UiState, key: KeyPress, panes: readonly SelectablePane[]): KeyResult {
  if (key.ctrl && key.input === 'c') return { state, effect: INTERRUPT }
  switch (state.mode.type) {
    case 'reason':
      return reasonKey(state, key)
    case 'detail':
      if (key.escape || key.enter) return { state: { ...state, mode: { type: 'browse' } } }
      return key.input === 'q' ? { state, effect: QUIT } : { state }
    case 'browse':
      return browseKey(state, key, panes)
  }
}

function browseKey(state: UiState, key: KeyPress, panes: readonly SelectablePane[]): KeyResult {
  const pane = panes[state.focus]
  const selected = pane === undefined ? undefined : selectedEntry(pane, state.selected[state.focus])
  if (key.tab || key.right || key.left) {
    const step = key.left || (key.tab && key.shift) ? -1 : 1
    const count = Math.max(1, panes.length)
    return { state: { ...state, focus: (state.focus + step + count) % count } }
  }
  if (key.up || key.down) {
    if (pane === undefined || pane.buffered === 0) return { state }
    const newest = pane.count - 1
    const oldest = pane.count - pane.buffered
    // The list shows the newest record on top: up is newer, down is older.
    const seq =
      selected === undefined ? newest : Math.min(newest, Math.max(oldest, selected.seq + (key.up ? 1 : -1)))
    return { state: select(state, seq) }
  }
  if (key.escape) return { state: select(state, undefined) }
  switch (key.input) {
    case 'q':
      return { state, effect: QUIT }
    case 'p': {
      const paused = !state.paused
      return {
        state: withStatus(
          { ...state, paused },
          paused ? { tone: 'info', text: 'Paused: press p to resume.' } : undefined,
        ),
      }
    }
    case 'k':
    case 'u':
      return operatorKey(state, key.input === 'k' ? 'KILL' : 'UNKILL', selected)
    default:
      break
  }
  if (key.enter) {
    if (selected === undefined)
      return { state: withStatus(state, { tone: 'info', text: 'Select a record with ↑/↓ first.' }) }
    return { state: { ...state, mode: { type: 'detail', record: selected.record } } }
  }
  return { state }
}

function operatorKey(
  state: UiState,
  action: OperatorRequest['action'],
  selected: PaneEntry | undefined,
): KeyResult {
  if (selected === undefined) {
    return {
      state: withStatus(state, {
        tone: 'info',
        text: `Select a record with ↑/↓ to ${action.toLowerCase()} its account.`,
      }),
    }
  }
  const scope = targetScope(selected.record)
  if (scope === undefined) {
    return { state: withStatus(state, { tone: 'error', text: 'This record names no account or scope.' }) }
  }
  return { state: withStatus({ ...state, mode: { type: 'reason', action, scope, text: '' } }, undefined) }
}

function reasonKey(state: UiState, key: KeyPress): KeyResult {
  const mode = state.mode
  if (mode.type !== 'reason') return { state }
  if (key.escape)
    return { state: withStatus({ ...state, mode: { type: 'browse' } }, { tone: 'info', text: 'Cancelled.' }) }
  if (key.enter) {
    const reason = mode.text.trim()
    if (reason === '')
      return {
        state: withStatus(state, {
          tone: 'error',
          text: 'A reason is required: it goes into the audit trail.',
        }),
      }
    const request: OperatorRequest = { action: mode.action, scope: mode.scope, reason }
    const status = { tone: 'info', text: `Sending ${mode.action} ${mode.scope}…` } as const
    return {
      state: withStatus({ ...state, mode: { type: 'browse' } }, status),
      effect: { type: 'publish', request },
    }
  }
  if (key.backspace) return { state: { ...state, mode: { ...mode, text: mode.text.slice(0, -1) } } }
  if (key.ctrl || key.meta || key.tab || key.up || key.down || key.left || key.right) return { state }
  // Pasted text arrives as one input; control characters never belong in an audit reason.
  const typed = key.input.replace(/\p{Cc}/gu, '')
  if (typed === '') return { state }
  return { state: { ...state, mode: { ...mode, text: (mode.text + typed).slice(0, MAX_REASON_LENGTH) } } }
}

function selectedEntry(pane: SelectablePane, seq: number | undefined): PaneEntry | undefined {
  return seq === undefined ? undefined : pane.find(seq)
}

function select(state: UiState, seq: number | undefined): UiState {
  const selected = state.selected.map((current, index) => (index === state.focus ? seq : current))
  return { ...state, selected }
}
