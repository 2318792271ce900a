import { StartJobRunCommand, type StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EMR_SPARK_VERSION } from '../../topologies/aws/names.js'
import { SPARK_KAFKA_JARS, type EmrSparkJobConfig } from '../../src/spark/emr-job-config.js'
import { buildEmrSparkJob } from '../../src/spark/emr-start-job-run.js'

const CONFIG: EmrSparkJobConfig = {
  applicationId: '00fabc123def4567',
  executionRoleArn: 'arn:aws:iam::123456789012:role/riskctl-spark',
  releaseLabel: 'emr-7.5.0',
  artifactsUri: 's3://riskctl-artifacts/spark/v1/',
  checkpointUri: 's3://riskctl-state/checkpoints/detector',
  brokers: ['b-1.msk.example:9098', 'b-2.msk.example:9098'],
  kafkaAuth: 'iam',
  driver: { cores: 1, memoryGiB: 2 },
  executor: { cores: 2, memoryGiB: 4, instances: 2 },
  shufflePartitions: 8,
  logUri: 's3://riskctl-logs/emr/',
  clientToken: 'deploy-2024-03-11-1',
}

describe('the EMR Serverless StartJobRun request', () => {
  it('is exactly the request the deploy step would send, with no AWS call', () => {
    const { startJobRun, application } = buildEmrSparkJob(CONFIG)
    expect(application).toEqual({ name: 'riskctl-risk-detector', releaseLabel: 'emr-7.5.0', type: 'SPARK' })
    expect(startJobRun).toEqual({
      applicationId: '00fabc123def4567',
      executionRoleArn: 'arn:aws:iam::123456789012:role/riskctl-spark',
      clientToken: 'deploy-2024-03-11-1',
      name: 'riskctl-risk-detector',
      mode: 'STREAMING',
      retryPolicy: { maxFailedAttemptsPerHour: 5 },
      jobDriver: {
        sparkSubmit: {
          entryPoint: 's3://riskctl-artifacts/spark/v1/risk_detector.py',
          entryPointArguments: [
            '--brokers',
            'b-1.msk.example:9098,b-2.msk.example:9098',
            '--topology',
            'detector.json',
            '--checkpoint',
            's3://riskctl-state/checkpoints/detector',
            '--starting-offsets',
            'latest',
            '--kafka-option',
            'kafka.security.protocol=SASL_SSL',
            '--kafka-option',
            'kafka.sasl.mechanism=AWS_MSK_IAM',
            '--kafka-option',
            'kafka.sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
            '--kafka-option',
            'kafka.sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
          ],
          sparkSubmitParameters: [
            '--py-files s3://riskctl-artifacts/spark/v1/riskjob.zip',
            '--files s3://riskctl-artifacts/spark/v1/detector.json',
            '--jars s3://riskctl-artifacts/spark/v1/jars/commons-pool2-2.11.1.jar,' +
              's3://riskctl-artifacts/spark/v1/jars/kafka-clients-3.4.1.jar,' +
              's3://riskctl-artifacts/spark/v1/jars/spark-sql-kafka-0-10_2.12-3.5.7.jar,' +
              's3://riskctl-artifacts/spark/v1/jars/spark-token-provider-kafka-0-10_2.12-3.5.7.jar,' +
              's3://riskctl-artifacts/spark/v1/jars/aws-msk-iam-auth-2.3.2-all.jar',
            '--conf spark.driver.cores=1',
            '--conf spark.driver.memory=2g',
            '--conf spark.executor.cores=2',
            '--conf spark.executor.memory=4g',
            '--conf spark.executor.instances=2',
            '--conf spark.dynamicAllocation.enabled=false',
            '--conf spark.sql.shuffle.partitions=8',
            '--conf spark.sql.session.timeZone=UTC',
          ].join(' '),
        },
      },
      configurationOverrides: {
        monitoringConfiguration: { s3MonitoringConfiguration: { logUri: 's3://riskctl-logs/emr/' } },
      },
      tags: { application: 'riskctl', component: 'detector', engine: 'spark' },
    })
  })

  it('is a StartJobRunCommand input as the SDK types it', () => {
    const input: StartJobRunCommandInput = buildEmrSparkJob(CONFIG).startJobRun
    expect(new StartJobRunCommand(input).input).toEqual(input)
  })

  it('talks plaintext Kafka without IAM options or jar, and leaves logging to the application', () => {
    const { logUri: _log, ...rest } = CONFIG
    const job = buildEmrSparkJob({ ...rest, kafkaAuth: 'plaintext' }).startJobRun
    expect(job.jobDriver.sparkSubmit.entryPointArguments).not.toContain('--kafka-option')
    expect(job.jobDriver.sparkSubmit.sparkSubmitParameters).not.toContain('aws-msk-iam-auth')
    expect(job.configurationOverrides).toBeUndefined()
  })

  it.each([
    [{ releaseLabel: 'emr-6.15.0' }, /not emr-7.x/],
    [{ checkpointUri: '/tmp/checkpoints' }, /checkpointUri must be an s3:\/\/ URI/],
    [{ brokers: [] }, /brokers is empty/],
    [{ artifactsUri: 'https://example.com/job' }, /artifactsUri must be an s3:\/\/ URI/],
  ] as const)('refuses %o', (change, message) => {
    const config = { ...CONFIG, ...change } as EmrSparkJobConfig
    expect(() => buildEmrSparkJob(config)).toThrow(message)
  })

  it('tests with the Spark of the EMR release, and ships one connector build for both', () => {
    const read = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')
    expect(/^pyspark==(.+)$/m.exec(read('requirements-spark.txt'))?.[1]).toBe(EMR_SPARK_VERSION)
    const connector = /<spark\.version>([^<]+)</.exec(read('scripts/spark/pom.xml'))?.[1] ?? ''
    expect(connector).toMatch(/^3\.5\.\d+$/)
    const connectors = SPARK_KAFKA_JARS.filter((jar) => jar.startsWith('spark-'))
    expect(connectors).toHaveLength(2)
    for (const jar of connectors) expect(jar).toContain(`_2.12-${connector}.jar`)
  })
})
