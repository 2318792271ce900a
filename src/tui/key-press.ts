import type { Key } from 'ink'

/** The keys the view reacts to, apart from Ink's event shape so the key reducer is plain data in, plain data out. */
export interface KeyPress {
  readonly input: string
  readonly ctrl?: boolean
  readonly meta?: boolean
  readonly shift?: boolean
  readonly tab?: boolean
  readonly enter?: boolean
  readonly escape?: boolean
  readonly backspace?: boolean
  readonly up?: boolean
  readonly down?: boolean
  readonly left?: boolean
  readonly right?: boolean
}

export function fromInkKey(input: string, key: Key): KeyPress {
  return {
    input,
    ctrl: key.ctrl,
    // Ink marks Esc itself as meta; only a real modifier should stop text from being typed.
    meta: key.meta && !key.escape,
    shift: key.shift,
    tab: key.tab,
    enter: key.return,
    escape: key.escape,
    // Most terminals send DEL for the Backspace key, which Ink reports as delete.
    backspace: key.backspace || key.delete,
    up: key.upArrow,
    down: key.downArrow,
    left: key.leftArrow,
    right: key.rightArrow,
  }
}
