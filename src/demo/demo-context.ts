import type { EventLog } from '../log/port.js'

/** What a part of the walkthrough shows, as it happens; presenters render these. */
export type DemoEvent =
  | { readonly type: 'say'; readonly text: string }
  | { readonly type: 'command'; readonly line: string }
  | { readonly type: 'show'; readonly text: string }
  | { readonly type: 'ok'; readonly text: string }
  | { readonly type: 'problem'; readonly text: string; readonly remedies: readonly string[] }

export interface DemoContext {
  readonly log: EventLog
  readonly consoleUrl: string
  readonly token: string
  /** Who the demo's commands written straight to the log are recorded as (local:<you> on the embedded log). */
  readonly operator: string
  /** A second supervisor's token, where the demo's processors hold an UNKILL for approval (four eyes). */
  readonly approverToken?: string | undefined
  readonly dataDir: string
  /** The `riskctl` invocation students should type, with --data-dir when the demo has its own. */
  readonly cli: string
  /** Aborts when the presenter leaves the part (next, back, rerun, quit). */
  readonly signal: AbortSignal
  emit(event: DemoEvent): void
  /**
   * Waits `ms` of script time: divided by --speed, but never below `minMs` of real time (orders
   * must really flow), and cut short by leaving the part.
   */
  pause(ms: number, minMs?: number): Promise<void>
  /** Starts a task that outlives the part (the normal order flow); stopped by name or at the end. */
  background(name: string, task: (signal: AbortSignal) => Promise<unknown>): void
  stopBackground(name: string): Promise<void>
  /** Seconds of script time, scaled by --speed but never below `minSeconds` (real processes need real time). */
  seconds(scriptSeconds: number, minSeconds: number): number
}

export interface DemoPart {
  readonly id: string
  readonly title: string
  /** Minutes the part takes at speed 1, for the agenda. */
  readonly minutes: number
  run(context: DemoContext): Promise<void>
}

export type DemoVariant = 'short' | 'standard' | 'long'
