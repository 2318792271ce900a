import { fork, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { abortableSleep } from '../../abortable-sleep.js'
import type { KillState } from '../../domain/kill-status.js'
import { RiskctlError, type ExitCode } from '../../errors.js'
import { newConnectivity, type Connectivity } from '../../processors/connectivity.js'
import type { Processor } from '../../processors/processor.js'
import type { ChildMessage, ParentMessage, ProcessReport, ProcessSpec } from './processor-protocol.js'

/** Built, the entry is JavaScript; from the sources (tests, the bench), TypeScript run through tsx. */
const FROM_SOURCES = import.meta.url.endsWith('.ts')
const ENTRY = fileURLToPath(new URL(FROM_SOURCES ? './processor-main.ts' : './processor-main.js', import.meta.url))

/** How long a stopping process has to commit and close before it is killed. */
const STOP_GRACE_MS = 15_000
const FIRST_RESTART_MS = 100
const MAX_RESTART_MS = 5_000
/**
 * How long a new process may find its consumer group still held: by this processor's previous process, if the one
 * before this `up` was killed and its children are still finishing their last write.
 */
const GROUP_HANDOVER_MS = 20_000

export type ChildEvent =
  | { readonly event: 'exited'; readonly processor: string; readonly pid: number | undefined; readonly how: string }
  | { readonly event: 'restarted'; readonly processor: string; readonly pid: number | undefined }

export interface ProcessorChildOptions {
  /** Lower priority (a nice value): the audit index may fall behind under load, the router may not. */
  readonly niceness?: number
  readonly onEvent?: (event: ChildEvent) => void
}

type Outcome =
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined; readonly exitCode?: ExitCode | undefined }
  | { readonly type: 'crashed'; readonly how: string }

/**
 * One processor in a process of its own, forked from this one: the router, the detector and the audit index
 * each get a core's event loop instead of sharing the console's. A process that dies (kill -9, out of memory)
 * is started again from its group's commit, as a transient failure is inside a processor; one that fails for
 * good fails the pipeline.
 */
export class ProcessorChild implements Processor {
  readonly name: string
  readonly connectivity: Connectivity = newConnectivity()
  /** The last figures it reported; undefined before its first report. */
  report: ProcessReport | undefined
  restarts = 0
  private child: ChildProcess | undefined
  private carried: ProcessReport | undefined
  private nextRequest = 0
  /** Answers awaited from the child; undefined when it exited before answering. */
  private readonly pending = new Map<number, (states: readonly KillState[] | undefined) => void>()

  constructor(
    private readonly spec: ProcessSpec,
    private readonly options: ProcessorChildOptions = {},
  ) {
    this.name = spec.kind
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  async run(signal: AbortSignal): Promise<void> {
    let crashes = 0
    const startedAt = Date.now()
    while (!signal.aborted) {
      const outcome = await this.runOnce(signal)
      if (outcome.type === 'stopped' || signal.aborted) return
      if (outcome.type === 'failed') {
        const handover = outcome.code === 'RISKCTL_GROUP_BUSY' && Date.now() - startedAt < GROUP_HANDOVER_MS
        if (!handover) {
          throw new RiskctlError(`${this.name}: ${outcome.message}`, {
            code: outcome.code ?? 'RISKCTL_PROCESSOR_FAILED',
            ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
          })
        }
      } else {
        crashes += 1
        this.options.onEvent?.({ event: 'exited', processor: this.name, pid: this.child?.pid, how: outcome.how })
      }
      this.connectivity.state = 'reconnecting'
      this.connectivity.reconnects += 1
      this.connectivity.lastError = outcome.type === 'crashed' ? `its process ${outcome.how}` : outcome.message
      await abortableSleep(Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** Math.max(0, crashes - 1)), signal)
      if (signal.aborted) return
      this.restarts += 1
    }
  }

  /** The router's whole kill state, as its process holds it. */
  states(timeoutMs = 5_000): Promise<readonly KillState[]> {
    const child = this.child
    // Between a crash and the next process's first report there is no state to show: never an empty one.
    if (child === undefined || !child.connected || this.report?.ready !== true) {
      return Promise.reject(
        new RiskctlError(`The ${this.name} is starting; its kill state is not loaded yet.`, { code: 'RISKCTL_PROCESSOR_STARTING', retriable: true }),
      )
    }
    const id = (this.nextRequest += 1)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new RiskctlError(`${this.name} did not answer within ${timeoutMs} ms.`, { code: 'RISKCTL_PROCESSOR_SLOW', retriable: true }))
      }, timeoutMs)
      this.pending.set(id, (states) => {
        clearTimeout(timer)
        if (states) resolve(states)
        else reject(new RiskctlError(`The ${this.name} exited before it answered.`, { code: 'RISKCTL_PROCESSOR_STARTING', retriable: true }))
      })
      this.send(child, { type: 'states', id })
    })
  }

  private runOnce(signal: AbortSignal): Promise<Outcome> {
    // What the last process counted carries over; whether it was ready does not: a new one must load the state first.
    this.carried = carryOver(this.carried, this.report)
    this.report = undefined
    // The kind as the only argument, so that ps shows which processor a process is (the spec comes over IPC).
    const child = fork(ENTRY, [this.spec.kind], {
      execArgv: FROM_SOURCES ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    this.child = child
    if (this.restarts > 0) this.options.onEvent?.({ event: 'restarted', processor: this.name, pid: child.pid })
    if (this.options.niceness !== undefined && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, this.options.niceness)
      } catch {
        // Not permitted here: it runs at the same priority, which is only slower under load.
      }
    }
    let failure: Extract<Outcome, { type: 'failed' }> | undefined
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'report') this.onReport(message.report)
      else if (message.type === 'states') this.pending.get(message.id)?.(message.states)
      else failure = { type: 'failed', message: message.message, code: message.code, exitCode: message.exitCode }
    })
    this.send(child, { type: 'start', spec: this.spec })
    let stopTimer: NodeJS.Timeout | undefined
    const stop = () => {
      this.send(child, { type: 'stop' })
      stopTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    }
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
    return new Promise((resolve) => {
      child.on('error', () => undefined)
      child.on('exit', (code, how) => {
        clearTimeout(stopTimer)
        signal.removeEventListener('abort', stop)
        for (const [id, answer] of this.pending) {
          this.pending.delete(id)
          answer(undefined)
        }
        if (failure) resolve(failure)
        else if (code === 0 && signal.aborted) resolve({ type: 'stopped' })
        else resolve({ type: 'crashed', how: how === null ? `exited with ${String(code)}` : `was killed by ${how}` })
      })
    })
  }

  /** Its figures since this `up` started, across restarts of its process. */
  get totals(): ProcessReport | undefined {
    return this.report && carryOver(this.carried, this.report)
  }

  private onReport(report: ProcessReport): void {
    this.report = report
    this.connectivity.state = report.connectivity.state
    this.connectivity.lastError = report.connectivity.lastError
  }

  private send(child: ChildProcess, message: ParentMessage): void {
    if (child.connected) child.send(message, (error) => error && undefined)
  }
}

const ROUTER_COUNTS = ['ordersIn', 'allowed', 'dropped', 'duplicates', 'deadLetters', 'stateRecords', 'stateProblems'] as const
const DETECTOR_COUNTS = ['orders', 'signals', 'kills', 'late', 'invalid', 'warmup'] as const

/** A report whose counters add what an earlier process of the same processor counted. */
function carryOver(earlier: ProcessReport | undefined, report: ProcessReport | undefined): ProcessReport | undefined {
  if (earlier === undefined || report === undefined) return report ?? earlier
  const router = report.router && earlier.router ? { ...report.router } : report.router
  if (router && earlier.router) for (const key of ROUTER_COUNTS) router[key] += earlier.router[key]
  const detector = report.detector && earlier.detector ? { ...report.detector } : report.detector
  if (detector && earlier.detector) for (const key of DETECTOR_COUNTS) detector[key] += earlier.detector[key]
  return {
    ...report,
    ...(router ? { router } : {}),
    ...(detector ? { detector } : {}),
    ...(report.indexed === undefined ? {} : { indexed: report.indexed + (earlier.indexed ?? 0) }),
  }
}
