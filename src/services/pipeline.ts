import type { FastifyInstance } from 'fastify'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { LimitsTopology } from '../config/limits-topology.js'
import type { EventLog } from '../log/port.js'
import { createAggregator } from '../processors/aggregator.js'
import type { FourEyesPolicy } from '../domain/approval.js'
import { createDetector } from '../processors/detector.js'
import type { Processor } from '../processors/processor.js'
import { createRouter, type Router } from '../processors/router.js'
import { buildOperatorApi } from '../processors/operator-api.js'
import { UserStore } from '../config/user-store.js'
import { queryAudit, type AuditQueryInput } from './audit.js'
import { badInput } from '../errors.js'
import { supervisedIndexer } from './audit-index/audit-indexer.js'
import type { BackendConfig } from '../config/resolve-config.js'
import type { KillState } from '../domain/kill-status.js'
import { ProcessorChild, type ChildEvent } from './processes/processor-child.js'
import type { ProcessKind } from './processes/processor-protocol.js'
import type { ProcessorPrincipal } from '../../topologies/kafka-grants.js'

export const COMPONENTS = ['aggregator', 'router', 'detector', 'console'] as const
/** The audit indexer's nice value in its own process. */
const INDEXER_NICENESS = 10
export type Component = (typeof COMPONENTS)[number]

export interface PipelineOptions {
  readonly components: readonly Component[]
  readonly detectorSettings: DetectorSettings
  readonly console?: { readonly port: number; readonly host: string; readonly token: string } | undefined
  /** How long the router remembers a decided order_id (default: an hour). */
  readonly duplicateHorizonMs?: number | undefined
  /** The router's limits (default: topologies/limits.json). */
  readonly limits?: LimitsTopology | undefined
  /** Four-eyes unkill (default: off, as topologies/controls.json has it). */
  readonly fourEyes?: FourEyesPolicy | undefined
  /** Where the audit index lives; with a router, `up` keeps it current. */
  readonly dataDir?: string | undefined
  /**
   * Run the router, the detector and the audit indexer each in a process of its own, which opens the log itself
   * (the aggregator and the console stay here). Without it every processor shares this process's event loop.
   */
  readonly processes?: ProcessesOptions | undefined
}

export interface ProcessesOptions {
  readonly backend: BackendConfig
  /** The environment of each processor's process: with a credentials file, its own Kafka user and no other's. */
  readonly envOf: (kind: ProcessKind) => Readonly<Record<string, string | undefined>>
  readonly debug: boolean
  /** A processor's process exited unexpectedly, or was started again. */
  readonly onEvent?: (event: ChildEvent) => void
}

/** A processor's process: its pid (for ps, top and the bench) and how often it was started again. */
export interface ProcessInfo {
  readonly name: string
  readonly pid: number | undefined
  readonly restarts: number
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
  /** The processes the processors run in, when they run in processes of their own. */
  readonly processes: readonly ProcessInfo[]
}

export interface RunningPipeline {
  /** The router, when it runs in this process. */
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

/** The log each processor in this process runs on: one for all (oneLog), or one per Kafka user (processor-logs.ts). */
export type LogOf = (principal: ProcessorPrincipal) => Promise<EventLog>

export function oneLog(log: EventLog): LogOf {
  return () => Promise.resolve(log)
}

/**
 * Starts the chosen processors in this process, each on the log `logOf` gives it. A processor that fails stops
 * the others, so a half-running pipeline never passes for a healthy one.
 */
export async function startPipeline(logOf: LogOf, options: PipelineOptions): Promise<RunningPipeline> {
  const has = (component: Component) => options.components.includes(component)
  const processes = options.processes
  const child = (kind: ProcessKind, niceness?: number) =>
    new ProcessorChild(
      {
        kind,
        backend: processes!.backend,
        env: processes!.envOf(kind),
        debug: processes!.debug,
        duplicateHorizonMs: options.duplicateHorizonMs,
        detectorSettings: options.detectorSettings,
        limits: options.limits,
      },
      {
        ...(niceness === undefined ? {} : { niceness }),
        ...(processes?.onEvent ? { onEvent: processes.onEvent } : {}),
      },
    )
  const aggregator = has('aggregator')
    ? createAggregator(await logOf('aggregator'), { fourEyes: options.fourEyes })
    : undefined
  const router =
    has('router') && !processes
      ? createRouter(await logOf('router'), {
          ...(options.duplicateHorizonMs === undefined
            ? {}
            : { duplicateHorizonMs: options.duplicateHorizonMs }),
          ...(options.limits === undefined ? {} : { limits: options.limits }),
        })
      : undefined
  const routerChild = has('router') && processes ? child('router') : undefined
  const detector =
    has('detector') && !processes
      ? createDetector(await logOf('detector'), { settings: options.detectorSettings })
      : undefined
  const detectorChild = has('detector') && processes ? child('detector') : undefined
  const dataDir = options.dataDir
  const indexes = has('router') && (dataDir !== undefined || processes !== undefined)
  // The index is for queries after the fact: under load it falls behind before the router or detector does.
  const indexer =
    indexes && !processes && dataDir !== undefined
      ? supervisedIndexer(await logOf('audit-indexer'), dataDir)
      : undefined
  const indexerChild = indexes && processes ? child('audit-indexer', INDEXER_NICENESS) : undefined
  const children = [routerChild, detectorChild, indexerChild].filter(
    (c): c is ProcessorChild => c !== undefined,
  )
  const processors: Processor[] = [aggregator, router, detector, indexer, ...children].filter(
    (p): p is NonNullable<typeof p> => p !== undefined,
  )
  const routerStats = () => router?.stats ?? routerChild?.totals?.router
  const detectorStats = () => detector?.stats ?? detectorChild?.totals?.detector
  const activeKills = (): readonly string[] =>
    router
      ? router.killState.activeKills().map((state) => state.scope)
      : (routerChild?.totals?.router?.activeKills ?? [])
  const currentState = (): readonly KillState[] | Promise<readonly KillState[]> =>
    router ? router.killState.all() : routerChild ? routerChild.states() : []

  // Opened before anything runs, so that a console refused by the broker fails the start, not a running pipeline.
  // What the console publishes goes out as the console's own user: it may write commands, never the state.
  const consoleLog = has('console') && options.console ? await logOf('console') : undefined

  const controller = new AbortController()
  const runs = processors.map((processor) =>
    processor.run(controller.signal).catch((error: unknown) => {
      controller.abort()
      throw error
    }),
  )

  let api: FastifyInstance | undefined
  let consoleUrl: string | undefined
  if (consoleLog !== undefined && options.console) {
    // Named users (`riskctl users add`) live beside the bootstrap token, in the data directory.
    const users = dataDir === undefined ? undefined : new UserStore(dataDir)
    api = buildOperatorApi({
      log: consoleLog,
      token: options.console.token,
      users,
      limits: options.limits,
      fourEyes: options.fourEyes,
      currentState,
      health: () => ({ components: options.components, ready: isReady() }),
      // GET /audit answers from the same local index as `riskctl audit`, where there is a data directory for it.
      ...(dataDir === undefined
        ? {}
        : { audit: (query: AuditQueryInput) => queryAudit(consoleLog, dataDir, query) }),
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
      (aggregator?.stats.ready ?? true) &&
      (has('router') ? routerStats()?.ready === true : true) &&
      (has('detector') ? detectorStats()?.ready === true : true)
    )
  }

  const done = Promise.all(runs).then(() => undefined)
  return {
    router,
    consoleUrl,
    done,
    status: () => {
      const routed = routerStats()
      const detected = detectorStats()
      return {
        ready: isReady(),
        ordersIn: routed?.ordersIn ?? 0,
        allowed: routed?.allowed ?? 0,
        dropped: routed?.dropped ?? 0,
        duplicates: routed?.duplicates ?? 0,
        deadLetters: (routed?.deadLetters ?? 0) + (aggregator?.stats.deadLetters ?? 0),
        activeKills: activeKills(),
        commandsApplied: aggregator?.stats.applied ?? 0,
        commandsRefused: aggregator?.stats.refused ?? 0,
        detectorKills: detected?.kills ?? 0,
        signals: detected?.signals ?? 0,
        reconnecting: processors.filter((p) => p.connectivity?.state === 'reconnecting').map((p) => p.name),
        reconnectReason: processors.find((p) => p.connectivity?.state === 'reconnecting')?.connectivity
          ?.lastError,
        partitions: routed?.partitions,
        stateProblems: routed?.stateProblems ?? 0,
        lastStateProblem: routed?.lastStateProblem,
        detectorBehind: detected?.behind ?? 0,
        processes: children.map((c) => ({ name: c.name, pid: c.pid, restarts: c.restarts })),
      }
    },
    stop: async () => {
      controller.abort()
      await api?.close()
      await Promise.allSettled(runs)
    },
  }
}
