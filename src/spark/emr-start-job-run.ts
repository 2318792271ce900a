import { badInput } from '../errors.js'
import {
  EMR_RELEASE_PATTERN,
  MSK_IAM_AUTH_JAR,
  SPARK_KAFKA_JARS,
  type EmrSparkJobConfig,
  type SparkProcessSize,
} from './emr-job-config.js'

/**
 * The StartJobRun request of @aws-sdk/client-emr-serverless, spelled out here because only src/cloud may
 * import the SDK; test/spark/emr-request.test.ts checks it is assignable to StartJobRunCommandInput.
 */
export interface StartJobRunInput {
  readonly applicationId: string
  readonly executionRoleArn: string
  readonly clientToken: string
  readonly name: string
  readonly mode: 'STREAMING'
  readonly retryPolicy: { readonly maxFailedAttemptsPerHour: number }
  readonly jobDriver: {
    readonly sparkSubmit: {
      readonly entryPoint: string
      readonly entryPointArguments: string[]
      readonly sparkSubmitParameters: string
    }
  }
  readonly configurationOverrides?: {
    readonly monitoringConfiguration: { readonly s3MonitoringConfiguration: { readonly logUri: string } }
  }
  readonly tags: Record<string, string>
}

/** The application the job runs in; the release label lives there, not on the job run. */
export interface EmrApplicationSpec {
  readonly name: string
  readonly releaseLabel: string
  readonly type: 'SPARK'
}

export interface EmrSparkJob {
  readonly application: EmrApplicationSpec
  readonly startJobRun: StartJobRunInput
}

const TOPOLOGY_FILE = 'detector.json'
/** A streaming job that keeps failing is better stopped than restarted forever. */
const MAX_FAILED_ATTEMPTS_PER_HOUR = 5

const MSK_IAM_OPTIONS = [
  'kafka.security.protocol=SASL_SSL',
  'kafka.sasl.mechanism=AWS_MSK_IAM',
  'kafka.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
  'kafka.sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
] as const

export function buildEmrSparkJob(config: EmrSparkJobConfig): EmrSparkJob {
  validate(config)
  const name = config.name ?? 'riskctl-risk-detector'
  const artifacts = config.artifactsUri.replace(/\/+$/, '')
  return {
    application: { name, releaseLabel: config.releaseLabel, type: 'SPARK' },
    startJobRun: {
      applicationId: config.applicationId,
      executionRoleArn: config.executionRoleArn,
      clientToken: config.clientToken,
      name,
      mode: 'STREAMING',
      retryPolicy: { maxFailedAttemptsPerHour: MAX_FAILED_ATTEMPTS_PER_HOUR },
      jobDriver: {
        sparkSubmit: {
          entryPoint: `${artifacts}/risk_detector.py`,
          entryPointArguments: entryPointArguments(config),
          sparkSubmitParameters: sparkSubmitParameters(config, artifacts).join(' '),
        },
      },
      ...(config.logUri === undefined
        ? {}
        : {
            configurationOverrides: {
              monitoringConfiguration: { s3MonitoringConfiguration: { logUri: config.logUri } },
            },
          }),
      tags: { application: 'riskctl', component: 'detector', engine: 'spark' },
    },
  }
}

function entryPointArguments(config: EmrSparkJobConfig): string[] {
  const kafkaOptions = config.kafkaAuth === 'iam' ? MSK_IAM_OPTIONS.flatMap((o) => ['--kafka-option', o]) : []
  return [
    '--brokers',
    config.brokers.join(','),
    // Shipped with --files, so it sits in the driver's working directory under its own name.
    '--topology',
    TOPOLOGY_FILE,
    '--checkpoint',
    config.checkpointUri.replace(/\/+$/, ''),
    '--starting-offsets',
    'latest',
    ...kafkaOptions,
  ]
}

function sparkSubmitParameters(config: EmrSparkJobConfig, artifacts: string): string[] {
  const names: string[] = [...SPARK_KAFKA_JARS]
  if (config.kafkaAuth === 'iam') names.push(MSK_IAM_AUTH_JAR)
  const jars = names.map((jar) => `${artifacts}/jars/${jar}`)
  return [
    `--py-files ${artifacts}/riskjob.zip`,
    `--files ${artifacts}/${TOPOLOGY_FILE}`,
    `--jars ${jars.join(',')}`,
    ...processSize('driver', config.driver),
    ...processSize('executor', config.executor),
    conf('spark.executor.instances', config.executor.instances),
    // A streaming job holds its executors; scaling them in and out would move state stores around.
    conf('spark.dynamicAllocation.enabled', false),
    conf('spark.sql.shuffle.partitions', config.shufflePartitions),
    conf('spark.sql.session.timeZone', 'UTC'),
  ]
}

function processSize(role: 'driver' | 'executor', size: SparkProcessSize): string[] {
  return [conf(`spark.${role}.cores`, size.cores), conf(`spark.${role}.memory`, `${size.memoryGiB}g`)]
}

function conf(key: string, value: string | number | boolean): string {
  return `--conf ${key}=${String(value)}`
}

function validate(config: EmrSparkJobConfig): void {
  const code = 'RISKCTL_EMR_CONFIG'
  if (!EMR_RELEASE_PATTERN.test(config.releaseLabel)) {
    throw badInput(
      code,
      `releaseLabel ${config.releaseLabel} is not emr-7.x: the job is built for Spark 3.5.`,
    )
  }
  for (const [key, uri] of [
    ['artifactsUri', config.artifactsUri],
    ['checkpointUri', config.checkpointUri],
  ] as const) {
    if (!uri.startsWith('s3://')) throw badInput(code, `${key} must be an s3:// URI, got ${uri}`)
  }
  if (config.brokers.length === 0)
    throw badInput(code, 'brokers is empty: the job reads orders.v1 from Kafka.')
}
