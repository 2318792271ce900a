/** Sizes of one Spark process on EMR Serverless (its worker sizes: 1-16 vCPU, 2-120 GiB). */
export interface SparkProcessSize {
  readonly cores: number
  readonly memoryGiB: number
}

/**
 * What the Spark detector needs to run on EMR Serverless, from riskctl's configuration. The URIs point at
 * what scripts/spark/package.sh builds, uploaded as is: <artifactsUri>/risk_detector.py, riskjob.zip,
 * detector.json and jars/.
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
  /** iam: MSK IAM authentication over TLS (needs mskIamAuthJarUri); plaintext: a broker inside the VPC. */
  readonly kafkaAuth: 'iam' | 'plaintext'
  /** The shaded aws-msk-iam-auth-<version>-all.jar, uploaded beside the package. */
  readonly mskIamAuthJarUri?: string
  /** A venv-pack archive with pandas and pyarrow (the episode step needs them), if the image lacks them. */
  readonly pythonEnvArchiveUri?: string
  readonly driver: SparkProcessSize
  readonly executor: SparkProcessSize & { readonly instances: number }
  readonly shufflePartitions: number
  readonly logUri?: string
  /** Idempotency token: the same token twice starts one job run. */
  readonly clientToken: string
  readonly name?: string
}

export const EMR_RELEASE_PATTERN = /^emr-7\.\d+\.\d+$/

/** The connector jars scripts/spark/pom.xml fetches; package.sh copies them to <artifactsUri>/jars/. */
export const SPARK_KAFKA_JARS = [
  'commons-pool2-2.11.1.jar',
  'kafka-clients-3.4.1.jar',
  'spark-sql-kafka-0-10_2.12-3.5.7.jar',
  'spark-token-provider-kafka-0-10_2.12-3.5.7.jar',
] as const
