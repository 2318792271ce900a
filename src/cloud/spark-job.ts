import { CHECKPOINT_PREFIX, JOB_PREFIX, LOG_PREFIX } from '../../topologies/aws/spark-detector.js'

/** Spark 3.5 on EMR 7 is Scala 2.12; the Kafka source must match it. */
export const SPARK_PACKAGES = [
  'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.5',
  'software.amazon.msk:aws-msk-iam-auth:2.3.2',
] as const

/** MSK IAM for the Spark Kafka source and sink: the job's execution role signs, no secret travels. */
export const MSK_IAM_OPTIONS: Readonly<Record<string, string>> = {
  'kafka.security.protocol': 'SASL_SSL',
  'kafka.sasl.mechanism': 'AWS_MSK_IAM',
  'kafka.sasl.jaas.config': 'software.amazon.msk.auth.iam.IAMLoginModule required;',
  'kafka.sasl.client.callback.handler.class': 'software.amazon.msk.auth.iam.IAMClientCallbackHandler',
}

export interface DetectorJobInput {
  readonly applicationId: string
  readonly executionRoleArn: string
  readonly bucket: string
  readonly bootstrapBrokers: string
  readonly clientToken: string
}

/** StartJobRun's input, as plain data: what `riskctl deploy` sends, checked by tests without AWS. */
export interface StartJobRunInput {
  readonly applicationId: string
  readonly executionRoleArn: string
  readonly clientToken: string
  readonly name: string
  readonly jobDriver: {
    readonly sparkSubmit: {
      readonly entryPoint: string
      readonly entryPointArguments: string[]
      readonly sparkSubmitParameters: string
    }
  }
  readonly configurationOverrides: {
    readonly monitoringConfiguration: { readonly s3MonitoringConfiguration: { readonly logUri: string } }
  }
  readonly mode: 'STREAMING'
}

/** The streaming detector job: the package the stack uploaded, the checkpoint in the same bucket. */
export function detectorJobRun(input: DetectorJobInput): StartJobRunInput {
  const job = `s3://${input.bucket}/${JOB_PREFIX}`
  const args = [
    '--brokers',
    input.bootstrapBrokers,
    '--topology',
    'detector.json',
    '--checkpoint',
    `s3://${input.bucket}/${CHECKPOINT_PREFIX}detector`,
    '--starting-offsets',
    'latest',
    ...Object.entries(MSK_IAM_OPTIONS).flatMap(([key, value]) => ['--kafka-option', `${key}=${value}`]),
  ]
  const submit = [
    `--py-files ${job}riskjob.zip`,
    `--files ${job}detector.json`,
    `--conf spark.jars.packages=${SPARK_PACKAGES.join(',')}`,
    '--conf spark.driver.cores=2 --conf spark.driver.memory=6g',
    '--conf spark.executor.cores=2 --conf spark.executor.memory=6g --conf spark.executor.instances=1',
    '--conf spark.dynamicAllocation.enabled=false',
  ].join(' ')
  return {
    applicationId: input.applicationId,
    executionRoleArn: input.executionRoleArn,
    clientToken: input.clientToken,
    name: 'riskctl-detector',
    mode: 'STREAMING',
    jobDriver: {
      sparkSubmit: {
        entryPoint: `${job}risk_detector.py`,
        entryPointArguments: args,
        sparkSubmitParameters: submit,
      },
    },
    configurationOverrides: {
      monitoringConfiguration: {
        s3MonitoringConfiguration: { logUri: `s3://${input.bucket}/${LOG_PREFIX}` },
      },
    },
  }
}
