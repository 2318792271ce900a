import path from 'node:path'
import { resolveOperatorToken } from '../config/operator-token.js'
import { UserStore } from '../config/user-store.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../config/detector-topology.js'
import { loadLimitsTopology, type LimitsTopology } from '../config/limits-topology.js'
import { loadFourEyesPolicy } from '../config/controls-topology.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { FourEyesPolicy } from '../domain/approval.js'
import type { BackendConfig } from '../config/resolve-config.js'
import type { EventLog } from '../log/port.js'
import { startSparkDetectorTask } from '../spark/spark-task.js'
import { startPipeline, type Component, type PipelineStatus } from './pipeline.js'
import type { ChildEvent } from './processes/processor-child.js'
import { upConnections, type UpConnections } from './up-connections.js'

export interface UpOptions {
  /**
   * The command's own log, opened once the options are known to be good. With a Kafka credentials file
   * (RISKCTL_KAFKA_CREDENTIALS in env) each processor opens its own instead, as its own user.
   */
  readonly openLog: () => Promise<EventLog>
  readonly components: readonly Component[]
  /** The Spark job in place of the in-process detector (Kafka only). */
  readonly sparkDetector: boolean
  /** The detector topology file (default: topologies/detector.json). */
  readonly topologyFile?: string | undefined
  /** The router's limits file (default: topologies/limits.json). */
  readonly limitsFile?: string | undefined
  /** The controls topology (four-eyes unkill); default topologies/controls.json. */
  readonly controlsFile?: string | undefined
  readonly duplicateHorizonMs: number
  /** The operator console's port on 127.0.0.1 (0: any free one). */
  readonly consolePort: number
  readonly backend: BackendConfig
  readonly env: Readonly<Record<string, string | undefined>>
  /** RISKCTL_OPERATOR_TOKEN; without it the console's token is kept in the data dir. */
  readonly envToken: string | undefined
  /** Stops every processor cleanly, with its position committed. */
  readonly signal: AbortSignal
  /** What happens while it runs: started, ready, a status every statusEveryMs. */
  readonly onEvent: (event: UpEvent) => void
  /** Each line Spark writes. */
  readonly onSparkLine: (line: string) => void
  readonly statusEveryMs?: number
  /** Every processor on this process's event loop, as before processes of their own (for debugging). */
  readonly inProcess?: boolean
  readonly debug?: boolean
}

export type UpEvent =
  | {
      readonly event: 'started'
      readonly components: readonly string[]
      readonly log: string
      readonly consoleUrl: string | undefined
      /** Where the console's bearer token is (never the token): RISKCTL_OPERATOR_TOKEN or its file. */
      readonly tokenIn: string | undefined
      /** Four-eyes unkill: how long a held UNKILL waits for its approval, when the policy is on. */
      readonly fourEyesMs?: number | undefined
    }
  | { readonly event: 'ready' }
  /** A processor's process died (kill -9, out of memory) and is being started again from its group's commit. */
  | ChildEvent
  | ({ readonly event: 'status' } & PipelineStatus)

/** How the processors stood when they stopped. */
export type UpResult = { readonly event: 'stopped' } & PipelineStatus

const READY_POLL_MS = 20
const STATUS_EVERY_MS = 1000

/**
 * `riskctl up`: creates any missing topic, then runs the chosen processors (and the Spark job, if
 * asked) until the signal stops them or one fails: the router, the detector and the audit indexer each in a
 * process of its own, the aggregator and the console in this one.
 */
export async function runUp(options: UpOptions): Promise<UpResult> {
  // Read and checked here, before anything starts: a bad file is exit 2, not a router that dies on its own.
  const topologies = loadTopologies(options)
  const components = options.sparkDetector
    ? options.components.filter((c) => c !== 'detector')
    : options.components
  // A bad credentials file is exit 2 (or 4, exposed) before anything connects.
  const connections = upConnections({ ...options, components })
  try {
    return await runPipeline(connections, { ...options, components }, topologies)
  } finally {
    await connections.logs.close()
  }
}

interface Topologies {
  readonly topologyFile: string
  readonly detectorSettings: DetectorSettings
  readonly limits: LimitsTopology
  readonly fourEyes: FourEyesPolicy
}

function loadTopologies(options: UpOptions): Topologies {
  const topologyFile = path.resolve(options.topologyFile ?? DEFAULT_DETECTOR_TOPOLOGY_PATH)
  return {
    topologyFile,
    detectorSettings: loadDetectorTopology(topologyFile),
    limits: loadLimitsTopology(
      options.limitsFile === undefined ? undefined : path.resolve(options.limitsFile),
    ),
    fourEyes: loadFourEyesPolicy(
      options.controlsFile === undefined ? undefined : path.resolve(options.controlsFile),
    ),
  }
}

async function runPipeline(
  connections: UpConnections,
  options: UpOptions,
  topologies: Topologies,
): Promise<UpResult> {
  const { components } = options
  const { topologyFile, detectorSettings, limits, fourEyes } = topologies
  const log = await connections.ensureTopics()
  const token = components.includes('console')
    ? resolveOperatorToken(options.backend.dataDir, options.envToken)
    : undefined
  // A users file others may read, or a damaged one, stops the start here rather than every request later.
  if (token !== undefined) new UserStore(options.backend.dataDir).list()
  const sparkTask = options.sparkDetector
    ? startSparkDetectorTask({
        backend: options.backend,
        env: options.env,
        topologyFile,
        onLine: options.onSparkLine,
      })
    : undefined
  const pipeline = await startPipeline(connections.logs.logOf, {
    components,
    detectorSettings,
    dataDir: options.backend.dataDir,
    duplicateHorizonMs: options.duplicateHorizonMs,
    limits,
    fourEyes,
    console: token && { port: options.consolePort, host: '127.0.0.1', token: token.value },
    processes: options.inProcess
      ? undefined
      : {
          backend: options.backend,
          envOf: connections.logs.envOf,
          debug: options.debug ?? false,
          onEvent: options.onEvent,
        },
  })
  options.onEvent({
    event: 'started',
    components: [...components, ...(sparkTask ? ['detector (Spark)'] : [])],
    log: log.description,
    consoleUrl: pipeline.consoleUrl,
    tokenIn:
      token === undefined
        ? undefined
        : token.source.type === 'env'
          ? 'RISKCTL_OPERATOR_TOKEN'
          : token.source.path,
    ...(fourEyes.unkill && components.includes('aggregator') ? { fourEyesMs: fourEyes.timeoutMs } : {}),
  })
  const readiness = setInterval(() => {
    if (!pipeline.status().ready) return
    clearInterval(readiness)
    options.onEvent({ event: 'ready' })
  }, READY_POLL_MS)
  const timer = setInterval(
    () => options.onEvent({ event: 'status', ...pipeline.status() }),
    options.statusEveryMs ?? STATUS_EVERY_MS,
  )
  try {
    await Promise.race([pipeline.done, ...(sparkTask ? [sparkTask.done] : []), aborted(options.signal)])
  } finally {
    clearInterval(timer)
    clearInterval(readiness)
    await sparkTask?.stop()
    await pipeline.stop()
  }
  await pipeline.done
  return { event: 'stopped', ...pipeline.status() }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    signal.addEventListener('abort', () => resolve(), { once: true })
  })
}
