import type { SparkInstall } from './spark-install.js'

export interface SparkSubmitOptions {
  readonly brokers: readonly string[]
  readonly topologyFile: string
  readonly checkpoint: string
  readonly jars: readonly string[]
  /** local[2] by default: two cores, the machine riskctl is taught on. */
  readonly master?: string
  readonly startingOffsets?: 'latest' | 'earliest'
  /** The micro-batch interval; the job's own default (1000 ms) when left out. */
  readonly triggerMs?: number
}

/** Few partitions for shuffles and state: local runs on two cores, and 200 tiny state stores cost seconds. */
const LOCAL_SHUFFLE_PARTITIONS = 4

export function sparkSubmitArgs(install: SparkInstall, options: SparkSubmitOptions): string[] {
  return [
    '--master',
    options.master ?? 'local[2]',
    '--name',
    'riskctl-detector',
    '--jars',
    options.jars.join(','),
    '--conf',
    `spark.sql.shuffle.partitions=${LOCAL_SHUFFLE_PARTITIONS}`,
    '--conf',
    'spark.sql.session.timeZone=UTC',
    // Spark's default INFO logging would drown the few lines worth reading.
    '--conf',
    `spark.driver.extraJavaOptions=-Dlog4j.configurationFile=file:${install.log4jFile}`,
    install.jobFile,
    '--brokers',
    options.brokers.join(','),
    '--topology',
    options.topologyFile,
    '--checkpoint',
    options.checkpoint,
    '--starting-offsets',
    options.startingOffsets ?? 'latest',
    ...(options.triggerMs === undefined ? [] : ['--trigger-ms', String(options.triggerMs)]),
  ]
}

/** The job's Python workers must use the venv's interpreter and find the riskjob package beside the job. */
export function sparkEnv(
  install: SparkInstall,
  inherited: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const pythonPath = [install.jobDir, inherited.PYTHONPATH].filter(
    (p): p is string => p !== undefined && p !== '',
  )
  return {
    PYSPARK_PYTHON: install.python,
    PYSPARK_DRIVER_PYTHON: install.python,
    PYTHONPATH: pythonPath.join(':'),
    PYTHONUNBUFFERED: '1',
  }
}
