import type { BackendConfig } from '../config/resolve-config.js'
import { kafkaBrokers, runSparkDetector } from './spark-detector.js'
import { connectorJars, defaultCheckpoint, PROJECT_ROOT, sparkInstall } from './spark-install.js'

export interface SparkTask {
  /** Rejects if Spark fails or ends on its own; resolves after stop(). */
  readonly done: Promise<void>
  stop(): Promise<void>
}

/** The Spark job in place of the in-process detector, for `riskctl up --detector spark`. */
export function startSparkDetectorTask(options: {
  readonly backend: BackendConfig
  readonly env: Readonly<Record<string, string | undefined>>
  readonly topologyFile: string
  readonly onLine: (line: string) => void
}): SparkTask {
  // Checked before anything starts, so a missing broker or virtualenv fails `up` at once.
  kafkaBrokers(options.backend)
  connectorJars(sparkInstall())
  const controller = new AbortController()
  const done = runSparkDetector({
    install: sparkInstall(),
    backend: options.backend,
    topologyFile: options.topologyFile,
    checkpoint: defaultCheckpoint(PROJECT_ROOT, 'up'),
    env: options.env,
    signal: controller.signal,
    onLine: options.onLine,
  }).then(() => undefined)
  return {
    done,
    stop: async () => {
      controller.abort()
      await done.catch(() => undefined)
    },
  }
}
