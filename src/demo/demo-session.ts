import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { abortableSleep } from '../abortable-sleep.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { EventLog } from '../log/port.js'
import { resolveOperatorToken } from '../console/operator-token.js'
import { createAllTopics } from '../services/topics-create.js'
import { startPipeline, type RunningPipeline } from '../services/pipeline.js'
import type { DemoContext, DemoEvent } from './demo-context.js'

export interface DemoSessionOptions {
  readonly openLog: (dataDir: string) => Promise<EventLog>
  /** A data dir to use; by default a fresh one, removed at the end. */
  readonly dataDir?: string | undefined
  readonly speed: number
  readonly detectorSettings: DetectorSettings
  readonly envToken?: string | undefined
}

/**
 * Everything the walkthrough runs on: its own data dir (fresh unless given), the topics, the
 * processors with the operator console, and the background order flows. `close` stops all of it
 * and keeps the data.
 */
export class DemoSession {
  private readonly tasks = new Map<string, { controller: AbortController; done: Promise<unknown> }>()

  private constructor(
    readonly log: EventLog,
    readonly dataDir: string,
    readonly pipeline: RunningPipeline,
    readonly token: string,
    private readonly options: DemoSessionOptions,
  ) {}

  static async start(options: DemoSessionOptions): Promise<DemoSession> {
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-demo-'))
    const log = await options.openLog(dataDir)
    try {
      await createAllTopics(log)
      const token = resolveOperatorToken(dataDir, options.envToken)
      const pipeline = await startPipeline(log, {
        components: ['aggregator', 'router', 'detector', 'console'],
        detectorSettings: options.detectorSettings,
        console: { port: 0, host: '127.0.0.1', token: token.value },
        dataDir,
      })
      const deadline = Date.now() + 15_000
      while (!pipeline.status().ready && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      return new DemoSession(log, dataDir, pipeline, token.value, options)
    } catch (error) {
      await log.close()
      throw error
    }
  }

  get consoleUrl(): string {
    return this.pipeline.consoleUrl ?? ''
  }

  context(signal: AbortSignal, emit: (event: DemoEvent) => void): DemoContext {
    const speed = this.options.speed
    return {
      log: this.log,
      consoleUrl: this.consoleUrl,
      token: this.token,
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
    await this.pipeline.stop()
    // The data stays: students explore it afterwards with state, audit and tail.
    await this.log.close()
  }
}
