import type { KeyPress } from '../key-press.js'

/** interrupt: Ctrl+C, which stops the walkthrough as quit does and ends the command with 130. */
export type DemoAction = 'next' | 'finish' | 'back' | 'rerun' | 'quit' | 'interrupt'

export interface DemoKeyContext {
  /** Unattended, the script moves on by itself: only quitting is left to the presenter. */
  readonly auto: boolean
  readonly isLast: boolean
}

/** The presenter's keys, as the plain presenter reads them: Enter or space, b, r, q or Ctrl+C. */
export function demoKeyAction(key: KeyPress, context: DemoKeyContext): DemoAction | undefined {
  const input = key.input.toLowerCase()
  if (key.ctrl === true) return input === 'c' ? 'interrupt' : undefined
  if (input === 'q') return 'quit'
  if (context.auto) return undefined
  if (key.enter === true || input === ' ') return context.isLast ? 'finish' : 'next'
  if (input === 'b') return 'back'
  if (input === 'r') return 'rerun'
  return undefined
}

export function keysHelp(context: DemoKeyContext): string {
  if (context.auto) return 'running unattended · q quit'
  return `Enter ${context.isLast ? 'finish' : 'next'} · b back · r rerun · q quit`
}
