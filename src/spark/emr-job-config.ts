/** Sizes of one Spark process on EMR Serverless (its worker sizes: 1-16 vCPU, 2-120 GiB). */
export interface SparkProcessSize {
  readonly cores: number
  readonly memoryGiB: number
}

/**
 * What the Spark detector needs to run on EMR Serverless, from riskctl's configuration. The URIs point at
 * the job package (src/cloud/job-package.ts; `npm run spark:package`), uploaded as is:
 * <artifactsUri>/risk_detector.py, riskjob.zip, detector.json and jars/. The job needs no Python
 * package beyond the pyspark that EMR Serverless 7.x brings, so there is no environment archive.
 */
export interface EmrSparkJobConfig {
  readonly applicationId: string
  readonly executionRoleArn: string
  /** emr-7.x: Spark 3.5, the version the job and its connector jars are built for. */
  readonly releaseLabel: string
  /** s3://bucket/prefix holding the uploaded package. */
  readonly artifactsUri: string
  /** s3:// location of the streaming checkpoints: Kafka offsets, the open windows and the episode state. */
  readonly checkpointUri: string
  /** MSK bootstrap servers; with IAM auth these are the port-9098 endpoints. */
  readonly brokers: readonly string[]
  /** iam: MSK IAM authentication over TLS (the package's aws-msk-iam-auth jar); plaintext: a broker inside the VPC. */
  readonly kafkaAuth: 'iam' | 'plaintext'
  readonly driver: SparkProcessSize
  readonly executor: SparkProcessSize & { readonly instances: number }
  readonly shufflePartitions: number
  readonly logUri?: string
  /** Idempotency token: the same token twice starts one job run. */
  readonly clientToken: string
  readonly name?: string
}

export const EMR_RELEASE_PATTERN = /^emr-7\.\d+\.\d+$/

/** The connector jars scripts/spark/pom.xml fetches; the job package carries them in jars/. */
export const SPARK_KAFKA_JARS = [
  'commons-pool2-2.11.1.jar',
  'kafka-clients-3.4.1.jar',
  'spark-sql-kafka-0-10_2.12-3.5.7.jar',
  'spark-token-provider-kafka-0-10_2.12-3.5.7.jar',
] as const

/** The shaded MSK IAM SASL login module, also from scripts/spark/pom.xml: on --jars only with kafkaAuth iam. */
export const MSK_IAM_AUTH_JAR = 'aws-msk-iam-auth-2.3.2-all.jar'

/** Every jar the job package carries. */
export const JOB_PACKAGE_JARS = [...SPARK_KAFKA_JARS, MSK_IAM_AUTH_JAR] as const
