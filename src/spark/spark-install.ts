import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH } from '../config/detector-topology.js'
import { ExitCode, RiskctlError } from '../errors.js'
import { processEnvironment, type Environment } from '../config/environment.js'

/** Where scripts/spark/setup.sh puts the Spark toolchain, and where the job lives, in a checkout. */
export interface SparkInstall {
  readonly projectRoot: string
  /** pyspark's own spark-submit in the project virtualenv. */
  readonly sparkSubmit: string
  readonly python: string
  readonly jarsDir: string
  readonly jobDir: string
  readonly jobFile: string
  readonly log4jFile: string
}

/** topologies/detector.json sits at the project root's topologies/, in the source tree and the build alike. */
export const PROJECT_ROOT = path.resolve(path.dirname(DEFAULT_DETECTOR_TOPOLOGY_PATH), '..')

/** SPARK_VENV and SPARK_JARS_DIR move them, as they move what scripts/spark/setup.sh installs. */
export function sparkInstall(
  projectRoot: string = PROJECT_ROOT,
  env: Environment = processEnvironment(),
): SparkInstall {
  const jobDir = path.join(projectRoot, 'topologies', 'spark')
  const venv = env.SPARK_VENV || path.join(projectRoot, '.venv')
  return {
    projectRoot,
    sparkSubmit: path.join(venv, 'bin', 'spark-submit'),
    python: path.join(venv, 'bin', 'python'),
    jarsDir: env.SPARK_JARS_DIR || path.join(projectRoot, '.cache', 'spark-jars'),
    jobDir,
    jobFile: path.join(jobDir, 'risk_detector.py'),
    log4jFile: path.join(jobDir, 'log4j2.properties'),
  }
}

/** A run's checkpoints: resuming a run resumes its Kafka offsets and its open episodes. */
export function defaultCheckpoint(projectRoot: string, run: string): string {
  return path.join(projectRoot, '.cache', 'spark-checkpoints', run)
}

const CONNECTOR_JAR = /^spark-sql-kafka-0-10_2\.12-3\.5\.\d+\.jar$/

/** The Kafka connector jars, checked before Spark starts so a missing one is a clear error, not a stack trace. */
export function connectorJars(install: SparkInstall): string[] {
  const missing: string[] = []
  if (!existsSync(install.sparkSubmit)) missing.push(`the virtualenv (${install.sparkSubmit})`)
  const jars = existsSync(install.jarsDir)
    ? readdirSync(install.jarsDir)
        .filter((f) => f.endsWith('.jar'))
        .sort()
    : []
  if (!jars.some((jar) => CONNECTOR_JAR.test(jar)))
    missing.push(`the Kafka connector jars (${install.jarsDir})`)
  if (missing.length > 0) {
    throw new RiskctlError(`The Spark engine is not installed: missing ${missing.join(' and ')}.`, {
      code: 'RISKCTL_SPARK_NOT_INSTALLED',
      exitCode: ExitCode.precondition,
      suggestions: [
        'run scripts/spark/setup.sh (pyspark from PyPI, the jars from Maven Central; cached after)',
      ],
    })
  }
  return jars.map((jar) => path.join(install.jarsDir, jar))
}
