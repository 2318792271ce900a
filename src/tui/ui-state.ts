import type { TailRecord } from '../services/tail.js'
import type { OperatorRequest } from './operator-request.js'

export type UiMode =
  | { readonly type: 'browse' }
  | { readonly type: 'detail'; readonly record: TailRecord }
  | {
      readonly type: 'reason'
      readonly action: OperatorRequest['action']
      readonly scope: string
      readonly text: string
    }

export interface StatusMessage {
  readonly tone: 'info' | 'ok' | 'error'
  readonly text: string
}

/** Everything about the view a key can change; the records themselves live in the TailView. */
export interface UiState {
  readonly focus: number
  /** Per pane, the seq of the selected record (see PaneEntry), or undefined for none. */
  readonly selected: readonly (number | undefined)[]
  readonly mode: UiMode
  readonly paused: boolean
  readonly status: StatusMessage | undefined
}

export function initialUiState(paneCount: number): UiState {
  return {
    focus: 0,
    selected: Array.from({ length: paneCount }, () => undefined),
    mode: { type: 'browse' },
    paused: false,
    status: undefined,
  }
}

export function withStatus(state: UiState, status: StatusMessage | undefined): UiState {
  return { ...state, status }
}
