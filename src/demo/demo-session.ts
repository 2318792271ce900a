import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { abortableSleep } from '../abortable-sleep.js'
import { unavailable } from '../errors.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { EventLog } from '../log/port.js'
import { resolveOperatorToken } from '../config/operator-token.js'
import type { FourEyesPolicy } from '../domain/approval.js'
import { UserStore } from '../config/user-store.js'
import { createAllTopics } from '../services/topics-create.js'
import { oneLog, startPipeline, type RunningPipeline } from '../services/pipeline.js'
import type { DemoContext, DemoEvent } from './demo-context.js'

/** Who acts in the demo: a supervisor of the demo's data directory. */
export const DEMO_OPERATOR = 'demo_operator'
/** The second supervisor who approves the demo's held UNKILL (four eyes, the long variant). */
export const DEMO_APPROVER = 'demo_approver'

export interface DemoSessionOptions {
  readonly openLog: (dataDir: string) => Promise<EventLog>
  /** A data dir to use; by default a fresh one, removed at the end. */
  readonly dataDir?: string | undefined
  readonly speed: number
  readonly detectorSettings: DetectorSettings
  readonly envToken?: string | undefined
  /** Four-eyes unkill for the processors the demo starts (the long variant's); off by default. */
  readonly fourEyes?: FourEyesPolicy | undefined
  /** Who the demo's commands written straight to the log are recorded as: the identity the log authenticates. */
  readonly operator: string
  /**
   * Processors that already run on this log (a riskctl up elsewhere, or a deployment on AWS) and
   * their operator console: the walkthrough drives those instead of starting its own.
   */
  readonly attach?: AttachedConsole | undefined
}

export interface AttachedConsole {
  readonly consoleUrl: string
  readonly token: string
}

/**
 * Everything the walkthrough runs on: its own data dir (fresh unless given), the topics, the
 * processors with the operator console (or those it attaches to), and the background order flows.
 * `close` stops what it started and keeps the data.
 */
export class DemoSession {
  private readonly tasks = new Map<string, { controller: AbortController; done: Promise<unknown> }>()

  private constructor(
    readonly log: EventLog,
    readonly dataDir: string,
    /** Undefined when attached to processors that run elsewhere. */
    readonly pipeline: RunningPipeline | undefined,
    readonly consoleUrl: string,
    readonly token: string,
    private readonly options: DemoSessionOptions,
    /** A second supervisor's token, where the demo's own processors hold UNKILLs for approval. */
    readonly approverToken?: string | undefined,
  ) {}

  static async start(options: DemoSessionOptions): Promise<DemoSession> {
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-demo-'))
    const log = await options.openLog(dataDir)
    if (options.attach) {
      try {
        await assertConsoleAnswers(options.attach.consoleUrl)
      } catch (error) {
        await log.close()
        throw error
      }
      return new DemoSession(log, dataDir, undefined, options.attach.consoleUrl, options.attach.token, options)
    }
    try {
      await createAllTopics(log)
      const token = resolveOperatorToken(dataDir, options.envToken)
      const pipeline = await startPipeline(oneLog(log), {
        components: ['aggregator', 'router', 'detector', 'console'],
        detectorSettings: options.detectorSettings,
        fourEyes: options.fourEyes,
        console: { port: 0, host: '127.0.0.1', token: token.value },
        dataDir,
      })
      const deadline = Date.now() + 15_000
      while (!pipeline.status().ready && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      // The demo's operator is a named supervisor of its own data directory, with a personal token: what the console
      // records as operator is who the token authenticates (the bootstrap token would be `console`).
      const operator = await demoToken(dataDir, DEMO_OPERATOR)
      // Under four eyes the UNKILL the demo asks for waits for a second supervisor: this one.
      const approver = options.fourEyes?.unkill === true ? await demoToken(dataDir, DEMO_APPROVER) : undefined
      return new DemoSession(log, dataDir, pipeline, pipeline.consoleUrl ?? '', operator, options, approver)
    } catch (error) {
      await log.close()
      throw error
    }
  }

  /** The identity the demo's direct commands (and its live view's keys) are recorded as. */
  get operator(): string {
    return this.options.operator
  }

  get attached(): boolean {
    return this.pipeline === undefined
  }

  context(signal: AbortSignal, emit: (event: DemoEvent) => void): DemoContext {
    const speed = this.options.speed
    return {
      log: this.log,
      consoleUrl: this.consoleUrl,
      token: this.token,
      operator: this.options.operator,
      approverToken: this.approverToken,
      dataDir: this.dataDir,
      cli: 'riskctl',
      signal,
      emit,
      pause: (ms, minMs = 0) => abortableSleep(Math.max(minMs, ms / speed), signal),
      background: (name, task) => {
        if (this.tasks.has(name)) return
        const controller = new AbortController()
        const done = task(controller.signal).catch(() => undefined)
        this.tasks.set(name, { controller, done })
      },
      stopBackground: async (name) => {
        const task = this.tasks.get(name)
        if (!task) return
        task.controller.abort()
        await task.done
        this.tasks.delete(name)
      },
      seconds: (scriptSeconds, minSeconds) => Math.max(minSeconds, scriptSeconds / speed),
    }
  }

  async close(): Promise<void> {
    for (const task of this.tasks.values()) task.controller.abort()
    await Promise.all([...this.tasks.values()].map((task) => task.done))
    this.tasks.clear()
    await this.pipeline?.stop()
    // The data stays: students explore it afterwards with state, audit and tail.
    await this.log.close()
  }
}

/** Attaching to a console that is not there would fail three parts later; say so now. */
async function assertConsoleAnswers(consoleUrl: string): Promise<void> {
  const health = `${consoleUrl.replace(/\/+$/, '')}/health`
  let status: number
  try {
    status = (await fetch(health, { signal: AbortSignal.timeout(10_000) })).status
  } catch (error) {
    throw unavailable(
      'RISKCTL_CONSOLE_UNREACHABLE',
      `The operator console at ${consoleUrl} does not answer (${(error as Error).message}).`,
      ['Start the processors first (riskctl up), or check the URL in RISKCTL_API_URL or the profile.'],
    )
  }
  if (status !== 200) {
    throw unavailable('RISKCTL_CONSOLE_UNREACHABLE', `${health} answered HTTP ${status}, not 200.`, [
      'Check that the URL is a riskctl operator console.',
    ])
  }
}

/** A demo supervisor's personal token: added on a fresh data directory, rotated on one a demo ran in before. */
async function demoToken(dataDir: string, name: string): Promise<string> {
  const users = new UserStore(dataDir)
  const known = users.list().some((user) => user.name === name)
  return (known ? await users.rotate(name) : await users.add(name, 'supervisor')).token
}
