import path from 'node:path'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../config/detector-topology.js'
import type { BackendConfig } from '../config/resolve-config.js'
import type { DetectorStats } from '../processors/detector.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { EventLog } from '../log/port.js'
import { runInprocessDetector } from '../spark/inprocess-detector.js'
import { runSparkDetector } from '../spark/spark-detector.js'
import { defaultCheckpoint, PROJECT_ROOT, sparkInstall } from '../spark/spark-install.js'

export type DetectEngine = 'inprocess' | 'spark'

export interface DetectOptions {
  readonly engine: DetectEngine
  /** The detector topology file (default: topologies/detector.json). */
  readonly topologyFile?: string | undefined
  /** Spark's checkpoint directory (default: .cache/spark-checkpoints/detect). */
  readonly checkpoint?: string | undefined
  readonly backend: BackendConfig
  readonly env: Readonly<Record<string, string | undefined>>
  /** Only the in-process engine reads the log; Spark talks to Kafka itself. */
  readonly openLog: () => Promise<EventLog>
  /** Stops either engine cleanly. */
  readonly signal: AbortSignal
  /** The engine runs: where, and where its checkpoints are. */
  readonly onStart: (start: DetectStart) => void
  readonly onKill: (kill: KillCommand) => void
  /** Each line Spark writes. */
  readonly onSparkLine: (line: string) => void
}

export type DetectStart =
  | { readonly engine: 'spark'; readonly checkpoint: string }
  | { readonly engine: 'inprocess'; readonly log: string }

export type DetectResult =
  | { readonly engine: 'spark'; readonly checkpoint: string }
  | ({ readonly engine: 'inprocess' } & DetectorStats)

/** `riskctl detect`: the risk detector alone, in this process or as the Spark job, until the signal stops it. */
export async function runDetector(options: DetectOptions): Promise<DetectResult> {
  const topologyFile = path.resolve(options.topologyFile ?? DEFAULT_DETECTOR_TOPOLOGY_PATH)
  // Validated for both engines: a file the CLI rejects must not reach Spark either.
  const settings = loadDetectorTopology(topologyFile)
  if (options.engine === 'spark') {
    const checkpoint = path.resolve(options.checkpoint ?? defaultCheckpoint(PROJECT_ROOT, 'detect'))
    const result = await runSparkDetector({
      install: sparkInstall(),
      backend: options.backend,
      topologyFile,
      checkpoint,
      env: options.env,
      signal: options.signal,
      onLine: options.onSparkLine,
      onStart: () => options.onStart({ engine: 'spark', checkpoint }),
    })
    return { engine: 'spark', checkpoint: result.checkpoint }
  }
  const log = await options.openLog()
  options.onStart({ engine: 'inprocess', log: log.description })
  const stats = await runInprocessDetector({ log, settings, signal: options.signal, onKill: options.onKill })
  return { engine: 'inprocess', ...stats }
}
