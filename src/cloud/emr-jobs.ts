import {
  CancelJobRunCommand,
  EMRServerlessClient,
  GetApplicationCommand,
  GetJobRunCommand,
  ListJobRunsCommand,
  StartJobRunCommand,
  StopApplicationCommand,
} from '@aws-sdk/client-emr-serverless'
import { detectorJobRun, type DetectorJobInput } from './spark-job.js'

export interface AwsClientOptions {
  readonly region: string
  /** A named profile of ~/.aws/config; absent, the SDK's default chain. */
  readonly awsProfile?: string | undefined
  /** An emulator's endpoint (moto server in tests); never set against AWS itself. */
  readonly endpoint?: string | undefined
}

export function createEmrClient(options: AwsClientOptions): EMRServerlessClient {
  return new EMRServerlessClient({
    region: options.region,
    ...(options.awsProfile === undefined ? {} : { profile: options.awsProfile }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  })
}

/** Job runs that still hold (or will soon hold) capacity, and therefore cost money. */
export const ACTIVE_STATES = ['SUBMITTED', 'PENDING', 'SCHEDULED', 'RUNNING', 'QUEUED', 'CANCELLING'] as const

export interface JobRunStatus {
  readonly jobRunId: string
  readonly state: string
  readonly details?: string | undefined
}

/** The detector's job runs on the EMR Serverless application the stack created. */
export class DetectorJobs {
  constructor(private readonly client: Pick<EMRServerlessClient, 'send'>) {}

  async start(input: DetectorJobInput): Promise<JobRunStatus> {
    const started = await this.client.send(new StartJobRunCommand(detectorJobRun(input)))
    if (started.jobRunId === undefined) throw new Error('EMR Serverless started a job run without an id')
    return this.status(input.applicationId, started.jobRunId)
  }

  async status(applicationId: string, jobRunId: string): Promise<JobRunStatus> {
    const { jobRun } = await this.client.send(new GetJobRunCommand({ applicationId, jobRunId }))
    return { jobRunId, state: jobRun?.state ?? 'UNKNOWN', details: jobRun?.stateDetails }
  }

  /** Active runs; an application that does not exist (or, in moto, has never run a job) has none. */
  async active(applicationId: string): Promise<JobRunStatus[]> {
    const runs: JobRunStatus[] = []
    let nextToken: string | undefined
    try {
      do {
        const page = await this.client.send(
          new ListJobRunsCommand({
            applicationId,
            states: [...ACTIVE_STATES],
            ...(nextToken ? { nextToken } : {}),
          }),
        )
        for (const run of page.jobRuns ?? [])
          if (run.id) runs.push({ jobRunId: run.id, state: run.state ?? 'UNKNOWN' })
        nextToken = page.nextToken
      } while (nextToken)
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
    return runs
  }

  /**
   * Cancels every active run and stops the application, so that nothing keeps running while
   * CloudFormation deletes it. An application that no longer exists is already stopped.
   */
  async stopAll(applicationId: string): Promise<JobRunStatus[]> {
    const runs = await this.active(applicationId)
    for (const run of runs) {
      if (run.state !== 'CANCELLING')
        await this.client.send(new CancelJobRunCommand({ applicationId, jobRunId: run.jobRunId }))
    }
    try {
      await this.client.send(new StopApplicationCommand({ applicationId }))
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error
    }
    return runs
  }

  /** The application's state, or undefined once it is gone. */
  async applicationState(applicationId: string): Promise<string | undefined> {
    try {
      const { application } = await this.client.send(new GetApplicationCommand({ applicationId }))
      return application?.state
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'ResourceNotFoundException' || /not found|does not exist/i.test(error.message))
  )
}

/** Stopping an application that is already stopping or stopped is not a failure. */
function isConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /state/i.test(error.message)
}
