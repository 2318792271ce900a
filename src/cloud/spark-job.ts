import { CHECKPOINT_PREFIX, JOB_PREFIX, LOG_PREFIX } from '../../topologies/aws/spark-detector.js'
import { EMR_RELEASE_LABEL } from '../../topologies/aws/names.js'
import type { EmrSparkJobConfig } from '../spark/emr-job-config.js'
import { buildEmrSparkJob, type StartJobRunInput } from '../spark/emr-start-job-run.js'

/** What the stack's outputs give the detector's job run. */
export interface DetectorJobInput {
  readonly applicationId: string
  readonly executionRoleArn: string
  readonly bucket: string
  /** MSK's IAM bootstrap brokers (port 9098), comma-separated as the stack reports them. */
  readonly bootstrapBrokers: string
  readonly clientToken: string
}

/**
 * One driver and one executor of 2 vCPU each: a classroom's order flow is a few thousand orders a
 * second, and the two fit twice in the application's maximum capacity (8 vCPU, 32 GB), so a
 * restarted run can start before the failed one has released its workers.
 */
const DRIVER = { cores: 2, memoryGiB: 6 } as const
const EXECUTOR = { cores: 2, memoryGiB: 6, instances: 1 } as const
/**
 * What EMR Serverless bills while the job runs: each process's worker is its cores and its memory
 * plus Spark's overhead (10%), in whole GB.
 */
export const DETECTOR_FOOTPRINT = footprint([
  DRIVER,
  ...Array<typeof EXECUTOR>(EXECUTOR.instances).fill(EXECUTOR),
])

function footprint(processes: readonly { cores: number; memoryGiB: number }[]): {
  vcpu: number
  memoryGb: number
} {
  return {
    vcpu: processes.reduce((sum, p) => sum + p.cores, 0),
    memoryGb: processes.reduce((sum, p) => sum + Math.ceil(p.memoryGiB * 1.1), 0),
  }
}

/** A few scopes per micro-batch: Spark's default of 200 shuffle partitions would be 200 idle tasks. */
const SHUFFLE_PARTITIONS = 4

/** The deployed stack as the Spark job's configuration: the package and checkpoints in the stack's bucket. */
export function detectorJobConfig(input: DetectorJobInput): EmrSparkJobConfig {
  return {
    applicationId: input.applicationId,
    executionRoleArn: input.executionRoleArn,
    releaseLabel: EMR_RELEASE_LABEL,
    artifactsUri: `s3://${input.bucket}/${JOB_PREFIX}`,
    checkpointUri: `s3://${input.bucket}/${CHECKPOINT_PREFIX}detector`,
    brokers: input.bootstrapBrokers
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== ''),
    kafkaAuth: 'iam',
    driver: DRIVER,
    executor: EXECUTOR,
    shufflePartitions: SHUFFLE_PARTITIONS,
    logUri: `s3://${input.bucket}/${LOG_PREFIX}`,
    clientToken: input.clientToken,
    name: 'riskctl-detector',
  }
}

/** The StartJobRun request `riskctl deploy` sends: the Spark job's own builder over the stack's outputs. */
export function detectorJobRun(input: DetectorJobInput): StartJobRunInput {
  return buildEmrSparkJob(detectorJobConfig(input)).startJobRun
}
