import type { DemoContext, DemoEvent, DemoPart } from './demo-context.js'

export type PartStatus = 'pending' | 'running' | 'done' | 'failed'

export interface DemoSnapshot {
  readonly parts: readonly { readonly id: string; readonly title: string; readonly minutes: number; readonly status: PartStatus }[]
  readonly current: number
  readonly events: readonly DemoEvent[]
  readonly finished: boolean
}

export interface DemoRunnerOptions {
  readonly parts: readonly DemoPart[]
  /** Builds the context a part runs in; its signal aborts when the part is left. */
  readonly context: (signal: AbortSignal, emit: (event: DemoEvent) => void) => DemoContext
  readonly onChange: (snapshot: DemoSnapshot) => void
}

/**
 * Drives the walkthrough one part at a time, as the presenter asks: next, back, rerun, quit. A part
 * is aborted when the presenter moves on; what it showed stays in the transcript of that part.
 */
export class DemoRunner {
  private current = 0
  private readonly statuses: PartStatus[]
  private events: DemoEvent[] = []
  private controller: AbortController | undefined
  private running: Promise<void> | undefined
  private finished = false
  /** Bumped by every start, so that of two quick key presses only the last one runs a part. */
  private generation = 0

  constructor(private readonly options: DemoRunnerOptions) {
    this.statuses = options.parts.map(() => 'pending')
  }

  snapshot(): DemoSnapshot {
    return {
      parts: this.options.parts.map((part, i) => ({ id: part.id, title: part.title, minutes: part.minutes, status: this.statuses[i]! })),
      current: this.current,
      events: this.events,
      finished: this.finished,
    }
  }

  /** Runs the current part; resolves when it has finished or was left. */
  async start(): Promise<void> {
    const generation = ++this.generation
    await this.leave()
    if (generation !== this.generation) return
    const index = this.current
    const part = this.options.parts[index]
    if (!part) {
      this.finished = true
      this.changed()
      return
    }
    const controller = new AbortController()
    this.controller = controller
    this.events = []
    this.statuses[index] = 'running'
    this.changed()
    const emit = (event: DemoEvent): void => {
      if (controller.signal.aborted) return
      this.events = [...this.events, event]
      if (event.type === 'problem') this.statuses[index] = 'failed'
      this.changed()
    }
    this.running = part
      .run(this.options.context(controller.signal, emit))
      .then(
        () => {
          if (this.statuses[index] === 'running') this.statuses[index] = 'done'
        },
        (error: unknown) => {
          if (controller.signal.aborted) return
          this.statuses[index] = 'failed'
          emit({ type: 'problem', text: `This part failed: ${(error as Error).message}`, remedies: [] })
        },
      )
      .finally(() => this.changed())
    await this.running
  }

  get isLast(): boolean {
    return this.current >= this.options.parts.length - 1
  }

  async next(): Promise<void> {
    this.current = Math.min(this.current + 1, this.options.parts.length)
    await this.start()
  }

  async back(): Promise<void> {
    this.current = Math.max(0, this.current - 1)
    await this.start()
  }

  async rerun(): Promise<void> {
    await this.start()
  }

  async quit(): Promise<void> {
    await this.leave()
    this.finished = true
    this.changed()
  }

  private async leave(): Promise<void> {
    this.controller?.abort()
    await this.running
    this.running = undefined
  }

  private changed(): void {
    this.options.onChange(this.snapshot())
  }
}
