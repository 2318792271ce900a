import type { FastifyInstance } from 'fastify'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { EventLog } from '../log/port.js'
import { createAggregator } from '../processors/aggregator.js'
import { createDetector } from '../processors/detector.js'
import { newConnectivity } from '../processors/connectivity.js'
import type { Processor } from '../processors/processor.js'
import { createRouter, type Router } from '../processors/router.js'
import { supervise } from '../processors/supervise.js'
import { buildOperatorApi } from '../processors/operator-api.js'
import { badInput } from '../errors.js'
import { AuditIndex } from './audit-index/audit-index.js'
import { AuditIndexer } from './audit-index/audit-indexer.js'

export const COMPONENTS = ['aggregator', 'router', 'detector', 'console'] as const
export type Component = (typeof COMPONENTS)[number]

export interface PipelineOptions {
  readonly components: readonly Component[]
  readonly detectorSettings: DetectorSettings
  readonly console?: { readonly port: number; readonly host: string; readonly token: string } | undefined
  /** How long the router remembers a decided order_id (default: an hour). */
  readonly duplicateHorizonMs?: number | undefined
  /** Where the audit index lives; with a router, `up` keeps it current. */
  readonly dataDir?: string | undefined
}

export interface PipelineStatus {
  readonly ready: boolean
  readonly ordersIn: number
  readonly allowed: number
  readonly dropped: number
  readonly duplicates: number
  readonly deadLetters: number
  readonly activeKills: readonly string[]
  readonly commandsApplied: number
  readonly commandsRefused: number
  readonly detectorKills: number
  readonly signals: number
  /** Processors waiting for the log to come back (broker down, file locked); empty when all is well. */
  readonly reconnecting: readonly string[]
  /** Why the first of them lost it. */
  readonly reconnectReason: string | undefined
  /** The orders.v1 partitions this process's router decides (a share of them with several routers). */
  readonly partitions: readonly number[] | undefined
  /** State records the router could not enforce as written, and the last of them: an alert. */
  readonly stateProblems: number
  readonly lastStateProblem: string | undefined
  /** Orders the detector has still to judge (catching up after a restart). */
  readonly detectorBehind: number
}

export interface RunningPipeline {
  readonly router: Router | undefined
  readonly consoleUrl: string | undefined
  status(): PipelineStatus
  /** Resolves when every processor has stopped (after `stop`), rejects if one fails. */
  readonly done: Promise<void>
  stop(): Promise<void>
}

export function parseComponents(list: string | undefined): Component[] {
  if (list === undefined || list.trim() === '') return [...COMPONENTS]
  const names = list.split(',').map((name) => name.trim().toLowerCase())
  const unknown = names.filter((name) => !(COMPONENTS as readonly string[]).includes(name))
  if (unknown.length > 0) {
    throw badInput('RISKCTL_COMPONENT_UNKNOWN', `Unknown component: ${unknown.join(', ')}.`, [
      `Valid components: ${COMPONENTS.join(', ')}`,
    ])
  }
  return COMPONENTS.filter((name) => names.includes(name))
}

/**
 * Starts the chosen processors in this process, on one event log. A processor that fails stops
 * the others, so a half-running pipeline never passes for a healthy one.
 */
export async function startPipeline(log: EventLog, options: PipelineOptions): Promise<RunningPipeline> {
  const has = (component: Component) => options.components.includes(component)
  const aggregator = has('aggregator') ? createAggregator(log) : undefined
  const router = has('router')
    ? createRouter(log, options.duplicateHorizonMs === undefined ? {} : { duplicateHorizonMs: options.duplicateHorizonMs })
    : undefined
  const detector = has('detector')
    ? createDetector(log, { settings: options.detectorSettings })
    : undefined
  const dataDir = options.dataDir
  const indexer = router && dataDir !== undefined ? supervisedIndexer(log, dataDir) : undefined
  const processors: Processor[] = [aggregator, router, detector, indexer].filter(
    (p): p is NonNullable<typeof p> => p !== undefined,
  )

  const controller = new AbortController()
  const runs = processors.map((processor) =>
    processor.run(controller.signal).catch((error: unknown) => {
      controller.abort()
      throw error
    }),
  )

  let api: FastifyInstance | undefined
  let consoleUrl: string | undefined
  if (has('console') && options.console) {
    api = buildOperatorApi({
      log,
      token: options.console.token,
      currentState: () => (router ? router.killState.all() : []),
      health: () => ({ components: options.components, ready: isReady() }),
    })
    try {
      consoleUrl = await api.listen({ port: options.console.port, host: options.console.host })
    } catch (error) {
      controller.abort()
      await Promise.allSettled(runs)
      const code = (error as NodeJS.ErrnoException).code
      throw badInput(
        'RISKCTL_CONSOLE_PORT',
        `The operator console cannot listen on ${options.console.host}:${options.console.port} (${code ?? String(error)}).`,
        ['Pass --console-port with a free port, or --only without console.'],
      )
    }
  }

  function isReady(): boolean {
    return (
      (aggregator?.stats.ready ?? true) && (router?.stats.ready ?? true) && (detector?.stats.ready ?? true)
    )
  }

  const done = Promise.all(runs).then(() => undefined)
  return {
    router,
    consoleUrl,
    done,
    status: () => ({
      ready: isReady(),
      ordersIn: router?.stats.ordersIn ?? 0,
      allowed: router?.stats.allowed ?? 0,
      dropped: router?.stats.dropped ?? 0,
      duplicates: router?.stats.duplicates ?? 0,
      deadLetters: (router?.stats.deadLetters ?? 0) + (aggregator?.stats.deadLetters ?? 0),
      activeKills: router ? router.killState.activeKills().map((state) => state.scope) : [],
      commandsApplied: aggregator?.stats.applied ?? 0,
      commandsRefused: aggregator?.stats.refused ?? 0,
      detectorKills: detector?.stats.kills ?? 0,
      signals: detector?.stats.signals ?? 0,
      reconnecting: processors.filter((p) => p.connectivity?.state === 'reconnecting').map((p) => p.name),
      reconnectReason: processors.find((p) => p.connectivity?.state === 'reconnecting')?.connectivity
        ?.lastError,
      partitions: router?.stats.partitions,
      stateProblems: router?.stats.stateProblems ?? 0,
      lastStateProblem: router?.stats.lastStateProblem,
      detectorBehind: detector?.stats.behind ?? 0,
    }),
    stop: async () => {
      controller.abort()
      await api?.close()
      await Promise.allSettled(runs)
    },
  }
}

/** The audit indexer, reopened with its index after the log comes back (its run closes the index). */
function supervisedIndexer(log: EventLog, dataDir: string): Processor {
  const connectivity = newConnectivity()
  return {
    name: 'audit-indexer',
    connectivity,
    run: (signal) =>
      supervise(
        async (attempt) => {
          const indexer = new AuditIndexer(log, AuditIndex.open(dataDir, log.description))
          connectivity.state = 'connected'
          await indexer.run(attempt)
        },
        signal,
        { connectivity },
      ),
  }
}
