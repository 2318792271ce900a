import type { BackendConfig } from '../config/resolve-config.js'
import { badInput, ExitCode, RiskctlError } from '../errors.js'
import { connectorJars, type SparkInstall } from './spark-install.js'
import { runSparkProcess } from './spark-process.js'
import { sparkEnv, sparkSubmitArgs } from './spark-submit-args.js'

export interface SparkDetectorOptions {
  readonly install: SparkInstall
  readonly backend: BackendConfig
  readonly topologyFile: string
  readonly checkpoint: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly signal: AbortSignal
  readonly onLine: (line: string) => void
  /** Called once the checks have passed, just before spark-submit starts. */
  readonly onStart?: () => void
  readonly startingOffsets?: 'latest' | 'earliest'
  readonly triggerMs?: number
  /** How long Spark gets after SIGINT (and again after SIGTERM) before the next signal. */
  readonly graceMs?: number
}

const DEFAULT_GRACE_MS = 15_000

/** The Spark job reads and writes Kafka topics: on the embedded log there is nothing for it to read. */
export function kafkaBrokers(backend: BackendConfig): readonly string[] {
  if (backend.type === 'kafka') return backend.brokers
  throw badInput(
    'RISKCTL_SPARK_NEEDS_KAFKA',
    'The Spark engine needs Kafka, and no brokers are configured.',
    [
      'Start a local broker: bash scripts/kafka/kafka.sh start',
      'Then pass --brokers 127.0.0.1:9092 (or set RISKCTL_BROKERS), or use the in-process detector.',
    ],
  )
}

export interface SparkDetectorResult {
  readonly checkpoint: string
  readonly jars: readonly string[]
}

/** Runs the Spark job with spark-submit until the signal stops it; Spark ending on its own is a failure. */
export async function runSparkDetector(options: SparkDetectorOptions): Promise<SparkDetectorResult> {
  const brokers = kafkaBrokers(options.backend)
  const jars = connectorJars(options.install)
  options.onStart?.()
  const result = await runSparkProcess({
    command: options.install.sparkSubmit,
    args: sparkSubmitArgs(options.install, {
      brokers,
      topologyFile: options.topologyFile,
      checkpoint: options.checkpoint,
      jars,
      ...(options.startingOffsets === undefined ? {} : { startingOffsets: options.startingOffsets }),
      ...(options.triggerMs === undefined ? {} : { triggerMs: options.triggerMs }),
    }),
    env: sparkEnv(options.install, options.env),
    cwd: options.install.projectRoot,
    signal: options.signal,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    onLine: options.onLine,
  })
  if (!result.stopped) {
    const how =
      result.signal === undefined ? `exit code ${String(result.exitCode)}` : `signal ${result.signal}`
    throw new RiskctlError(`The Spark job stopped on its own (${how}).`, {
      code: 'RISKCTL_SPARK_FAILED',
      exitCode: ExitCode.unavailable,
      suggestions: ['Read the spark lines above; a broker that is down shows as "Connection to node -1".'],
    })
  }
  return { checkpoint: options.checkpoint, jars }
}
