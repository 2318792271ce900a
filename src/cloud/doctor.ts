import { KILL_STATE, TOPIC_NAMES } from '../../topologies/topics.js'
import type { Profile } from '../config/profile-store.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'

export interface Check {
  readonly name: string
  readonly status: CheckStatus
  readonly detail: string
  readonly fix?: string
}

export interface MappingStatus {
  readonly functionArn: string
  readonly topic: string
  readonly state: string
  readonly lastResult: string
}

/** What doctor asks the cloud; each probe may throw, which is itself the finding. */
export interface DoctorProbes {
  health(apiUrl: string): Promise<{ readonly status: number }>
  /** Topic names and the state topic's cleanup.policy, over the public IAM listener. */
  kafka(
    brokers: string,
  ): Promise<{ readonly topics: readonly string[]; readonly stateCleanupPolicy: string | undefined }>
  jobRun(
    applicationId: string,
    jobRunId: string,
  ): Promise<{ readonly state: string; readonly details?: string | undefined }>
  mappings(clusterArn: string): Promise<readonly MappingStatus[]>
}

/**
 * The seed's "Common issues", answered from the profile: the console, the topics, the detector
 * job, the functions' event source mappings. Every check runs; one failing does not hide the rest.
 */
export async function runDoctor(profile: Profile, probes: DoctorProbes): Promise<Check[]> {
  return Promise.all([
    check('console API', async () => {
      const { status } = await probes.health(`${profile.outputs.apiUrl.replace(/\/$/, '')}/health`)
      return status === 200
        ? { status: 'ok', detail: `${profile.outputs.apiUrl} answers /health` }
        : {
            status: 'fail',
            detail: `/health answered HTTP ${status}`,
            fix: 'Look at the console function in the dashboard.',
          }
    }),
    kafkaCheck(profile, probes),
    check('detector job', async () => {
      if (profile.jobRunId === undefined) {
        return { status: 'fail', detail: 'no job run recorded', fix: 'Run riskctl deploy again to start it.' }
      }
      const run = await probes.jobRun(profile.outputs.emrApplicationId, profile.jobRunId)
      if (run.state === 'RUNNING') return { status: 'ok', detail: `job run ${profile.jobRunId} is RUNNING` }
      const starting = ['SUBMITTED', 'PENDING', 'SCHEDULED', 'QUEUED'].includes(run.state)
      return {
        status: starting ? 'warn' : 'fail',
        detail: `job run ${profile.jobRunId} is ${run.state}${run.details ? `: ${run.details}` : ''}`,
        fix: starting
          ? 'It is starting; give it a few minutes.'
          : `Logs: s3://${profile.outputs.bucket}/spark/logs/. riskctl deploy starts a new run.`,
      }
    }),
    check('functions', async () => {
      const mappings = await probes.mappings(profile.outputs.clusterArn)
      if (mappings.length === 0) return { status: 'fail', detail: 'no event source mappings on the cluster' }
      const broken = mappings.filter(
        (m) => m.state !== 'Enabled' || !/^(OK|No records processed)/i.test(m.lastResult),
      )
      if (broken.length === 0)
        return { status: 'ok', detail: `${mappings.length} mappings enabled, last batches OK` }
      return {
        status: 'fail',
        detail: broken.map((m) => `${m.topic}: ${m.state}, ${m.lastResult}`).join('; '),
        fix: 'See the function logs in CloudWatch; PROBLEM results name the cause (IAM, network, topic).',
      }
    }),
  ])
}

async function kafkaCheck(profile: Profile, probes: DoctorProbes): Promise<Check> {
  const brokers = profile.outputs.publicBootstrapBrokers
  if (brokers === undefined) {
    return {
      name: 'topics',
      status: 'skip',
      detail: 'MSK is private to its VPC',
      fix: `riskctl deploy --profile ${profile.name} --laptop-access <your-ip>/32 to reach it from here.`,
    }
  }
  return check('topics', async () => {
    const { topics, stateCleanupPolicy } = await probes.kafka(brokers)
    const missing = TOPIC_NAMES.filter((name) => !topics.includes(name))
    if (missing.length > 0) {
      return {
        status: 'fail',
        detail: `missing: ${missing.join(', ')}`,
        fix: 'riskctl deploy re-runs the topics resource.',
      }
    }
    if (stateCleanupPolicy !== 'compact') {
      return {
        status: 'fail',
        detail: `${KILL_STATE} has cleanup.policy=${stateCleanupPolicy ?? 'unknown'}, not compact`,
      }
    }
    return { status: 'ok', detail: `all ${TOPIC_NAMES.length} topics, ${KILL_STATE} compacted` }
  })
}

async function check(name: string, run: () => Promise<Omit<Check, 'name'>>): Promise<Check> {
  try {
    return { name, ...(await run()) }
  } catch (error) {
    return { name, status: 'fail', detail: error instanceof Error ? error.message : String(error) }
  }
}
