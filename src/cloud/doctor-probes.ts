import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda'
import { KILL_STATE } from '../../topologies/topics.js'
import { openKafkaLog } from '../log/kafka/kafka-log.js'
import type { DoctorProbes, MappingStatus } from './doctor.js'
import { createEmrClient, DetectorJobs, type AwsClientOptions } from './emr-jobs.js'

/** The real probes: HTTPS to the console, kafkajs over MSK IAM, EMR Serverless and Lambda APIs. */
export function awsProbes(options: AwsClientOptions): DoctorProbes {
  const lambda = new LambdaClient({
    region: options.region,
    ...(options.awsProfile === undefined ? {} : { profile: options.awsProfile }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  })
  const jobs = new DetectorJobs(createEmrClient(options))
  return {
    async health(url) {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
      return { status: response.status }
    },
    async kafka(brokers) {
      const log = await openKafkaLog({
        brokers: brokers.split(','),
        connection: { ssl: true, sasl: { mechanism: 'aws-iam', region: options.region } },
      })
      try {
        const topics = await log.listTopics()
        const state = topics.includes(KILL_STATE) ? await log.describeTopic(KILL_STATE) : undefined
        return {
          topics,
          stateCleanupPolicy: state?.configs.find((entry) => entry.name === 'cleanup.policy')?.value,
        }
      } finally {
        await log.close()
      }
    },
    jobRun: (applicationId, jobRunId) => jobs.status(applicationId, jobRunId),
    async mappings(clusterArn) {
      const found: MappingStatus[] = []
      let marker: string | undefined
      do {
        const page = await lambda.send(
          new ListEventSourceMappingsCommand({
            EventSourceArn: clusterArn,
            ...(marker ? { Marker: marker } : {}),
          }),
        )
        for (const mapping of page.EventSourceMappings ?? []) {
          found.push({
            functionArn: mapping.FunctionArn ?? '',
            topic: mapping.Topics?.join(',') ?? '',
            state: mapping.State ?? 'unknown',
            lastResult: mapping.LastProcessingResult ?? 'unknown',
          })
        }
        marker = page.NextMarker
      } while (marker)
      return found
    },
  }
}
