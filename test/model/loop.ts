import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { DetectorSettings } from '../../src/domain/detector-settings.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import type { EventLog, LogRecord } from '../../src/log/port.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import { createDetector } from '../../src/processors/detector.js'
import { AGGREGATOR_GROUP, DETECTOR_GROUP, ROUTER_GROUP } from '../../topologies/groups.js'
import type { Processor } from '../../src/processors/processor.js'
import { createRouter, type Router } from '../../src/processors/router.js'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import { KILL_COMMANDS, ORDERS, TOPICS } from '../../topologies/topics.js'

export type ProcessorName = 'router' | 'aggregator' | 'detector'

interface Running {
  readonly processor: Processor
  readonly controller: AbortController
  readonly done: Promise<void>
}

const GROUPS: Readonly<Record<ProcessorName, { group: string; topic: string }>> = {
  router: { group: ROUTER_GROUP, topic: ORDERS },
  aggregator: { group: AGGREGATOR_GROUP, topic: KILL_COMMANDS },
  detector: { group: DETECTOR_GROUP, topic: ORDERS },
}

/** What the model test drives: the real loop on an embedded log, or the TopologyTestDriver (driver-topology.ts). */
export interface TopologyUnderTest {
  readonly log: Pick<EventLog, 'produce' | 'write' | 'readCompacted'>
  restart(name: ProcessorName): Promise<void>
  /** Until the named processors have handled everything written so far. */
  settle(names: readonly ProcessorName[]): Promise<void>
  waitFor(what: string, check: () => Promise<boolean>): Promise<void>
  readAll(topic: string): Promise<LogRecord[]>
  close(): Promise<void>
}

/**
 * The whole loop on a real embedded log in a temporary directory, with the real processors: each can be
 * stopped and started again (a restart), and `settle` waits until the chosen ones have committed everything.
 */
export class Loop implements TopologyUnderTest {
  private readonly running = new Map<ProcessorName, Running>()
  private readonly failures: string[] = []
  readonly routers: Router[] = []

  private constructor(
    readonly dataDir: string,
    readonly log: EmbeddedLog,
    private readonly settings: DetectorSettings,
    private readonly limits: LimitsTopology,
  ) {}

  static async start(settings: DetectorSettings, limits: LimitsTopology): Promise<Loop> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-model-'))
    const log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    const loop = new Loop(dataDir, log, settings, limits)
    for (const name of ['aggregator', 'router', 'detector'] as const) loop.launch(name)
    await loop.settle(['aggregator', 'router', 'detector'])
    return loop
  }

  async restart(name: ProcessorName): Promise<void> {
    const running = this.running.get(name)
    running?.controller.abort()
    await running?.done.catch(() => undefined)
    this.launch(name)
  }

  /** Waits until each named processor has committed up to the end of its input. */
  async settle(names: readonly ProcessorName[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (const name of names) {
      const { group, topic } = GROUPS[name]
      for (;;) {
        if (this.failures.length > 0) throw new Error(this.failures.join('; '))
        const ends = await this.endOffsets(topic)
        const committed = new Map(
          (await this.log.committedOffsets(group, topic)).map((p) => [p.partition, p.offset]),
        )
        if (ends.every((end) => end.offset === 0 || (committed.get(end.partition) ?? 0) >= end.offset)) break
        if (Date.now() > deadline) throw new Error(`${name} did not catch up with ${topic}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }

  async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!(await check())) {
      if (this.failures.length > 0) throw new Error(this.failures.join('; '))
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async readAll(topic: string): Promise<LogRecord[]> {
    const consumer = await this.log.consumer({ topics: [topic], from: { type: 'earliest' } })
    try {
      const ends = new Map((await consumer.endOffsets()).map((end) => [end.partition, end.offset]))
      const records: LogRecord[] = []
      const behind = () => consumer.positions().some((p) => p.offset < (ends.get(p.partition) ?? 0))
      while (behind()) records.push(...(await consumer.poll({ maxRecords: 5000, maxWaitMs: 10 })))
      return records
    } finally {
      await consumer.close()
    }
  }

  async close(): Promise<void> {
    for (const running of this.running.values()) running.controller.abort()
    await Promise.allSettled([...this.running.values()].map((running) => running.done))
    await this.log.close()
    fs.rmSync(this.dataDir, { recursive: true, force: true })
  }

  private launch(name: ProcessorName): void {
    const processor = this.create(name)
    const controller = new AbortController()
    // A processor that dies fails the run at the next settle, with its error.
    const done = processor.run(controller.signal).catch((error: unknown) => {
      this.failures.push(`${name} failed: ${(error as Error).stack ?? String(error)}`)
    })
    this.running.set(name, { processor, controller, done })
  }

  private create(name: ProcessorName): Processor {
    if (name === 'aggregator') return createAggregator(this.log)
    if (name === 'detector') return createDetector(this.log, { settings: this.settings })
    const router = createRouter(this.log, { limits: this.limits })
    this.routers.push(router)
    return router
  }

  private async endOffsets(topic: string) {
    const consumer = await this.log.consumer({ topics: [topic], from: { type: 'latest' } })
    try {
      return await consumer.endOffsets()
    } finally {
      await consumer.close()
    }
  }
}
