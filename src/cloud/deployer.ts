import { STACK_NAME } from '../../topologies/aws/names.js'
import { ExitCode, RiskctlError } from '../errors.js'
import { synthTemplate } from './assembly.js'
import type { CloudToolkit } from './cloud-toolkit.js'
import { estimateHourlyCost, type CostEstimate } from './cost.js'
import type { DetectorJobs, JobRunStatus } from './emr-jobs.js'
import { summarisePlan, type Plan } from './plan.js'
import type { Profile, ProfileStore } from '../config/profile-store.js'
import { renderPlan } from './render-plan.js'
import { profileOutputs } from './stack-outputs.js'

export interface DeployRequest {
  readonly profileName: string
  readonly region: string
  readonly laptopCidr?: string | undefined
  readonly dryRun: boolean
  readonly yes: boolean
}

export interface BuiltAssets {
  readonly bundleDir: string
  readonly jobPackageDir: string
}

export interface CloudDeps {
  readonly toolkit: (region: string) => CloudToolkit
  readonly jobs: (region: string) => DetectorJobs
  readonly profiles: ProfileStore
  readonly confirm: (question: string) => Promise<boolean>
  readonly log: (line: string) => void
  /** Builds the Lambda bundles and the Spark job package. */
  readonly build: () => Promise<BuiltAssets>
  /** Resource failures the toolkit reported, for the error message. */
  readonly failures: () => readonly string[]
  readonly now: () => Date
  readonly newToken: () => string
}

export interface DeployReport {
  readonly dryRun: boolean
  readonly region: string
  readonly plan: Plan
  readonly cost: CostEstimate
  readonly profilePath?: string
  readonly profile?: Profile
  readonly jobRun?: JobRunStatus
}

export function planDeployment(request: Pick<DeployRequest, 'laptopCidr'>): {
  plan: Plan
  cost: CostEstimate
} {
  const plan = summarisePlan(synthTemplate({ laptopCidr: request.laptopCidr }))
  return { plan, cost: estimateHourlyCost(plan, { laptopAccess: request.laptopCidr !== undefined }) }
}

/**
 * Plans, asks, deploys, records the profile and starts the detector. A dry run stops after the
 * plan and needs no credentials. A failed deploy has been rolled back by CloudFormation by the
 * time the error reaches the operator, with each failed resource and its reason.
 */
export async function deploy(request: DeployRequest, deps: CloudDeps): Promise<DeployReport> {
  const { plan, cost } = planDeployment(request)
  deps.log(renderPlan(plan, cost, request.region))
  if (request.dryRun) return { dryRun: true, region: request.region, plan, cost }
  if (!request.yes && !(await deps.confirm(`Deploy riskctl to ${request.region} and start paying for it?`))) {
    throw new RiskctlError('Nothing was deployed.', {
      code: 'RISKCTL_DEPLOY_DECLINED',
      exitCode: ExitCode.precondition,
      suggestions: ['Run again and answer yes, or pass --yes.'],
    })
  }
  const assets = await deps.build()
  const previous = deps.profiles.read(request.profileName)
  const toolkit = deps.toolkit(request.region)
  let outputs: Readonly<Record<string, string>> = {}
  for (const laptopCidr of phases(request, previous, deps.log)) {
    try {
      outputs = await toolkit.deploy({ ...assets, laptopCidr, region: request.region })
    } catch (error) {
      throw deployFailed(error, deps.failures())
    }
  }
  const base: Profile = {
    name: request.profileName,
    region: request.region,
    stackName: STACK_NAME,
    deployedAt: deps.now().toISOString(),
    ...(request.laptopCidr === undefined ? {} : { laptopCidr: request.laptopCidr }),
    outputs: profileOutputs(outputs),
  }
  const jobs = deps.jobs(request.region)
  const running = (await jobs.active(base.outputs.emrApplicationId))[0]
  const jobRun =
    running ??
    (await jobs.start({
      applicationId: base.outputs.emrApplicationId,
      executionRoleArn: base.outputs.jobRoleArn,
      bucket: base.outputs.bucket,
      bootstrapBrokers: base.outputs.bootstrapBrokers,
      clientToken: deps.newToken(),
    }))
  const profile: Profile = { ...base, jobRunId: jobRun.jobRunId }
  const profilePath = deps.profiles.write(profile)
  return { dryRun: false, region: request.region, plan, cost, profile, profilePath, jobRun }
}

/**
 * MSK turns public access on only for a cluster that already exists: a first deploy with laptop
 * access creates the cluster private, then updates it.
 */
function phases(
  request: DeployRequest,
  previous: Profile | undefined,
  log: (line: string) => void,
): (string | undefined)[] {
  if (request.laptopCidr === undefined) return [undefined]
  if (previous?.outputs.publicBootstrapBrokers !== undefined) return [request.laptopCidr]
  log('MSK allows public access only on an existing cluster: deploying it private first, then opening it.')
  return [undefined, request.laptopCidr]
}

function deployFailed(error: unknown, failures: readonly string[]): RiskctlError {
  const why = error instanceof Error ? error.message : String(error)
  return new RiskctlError(`The deploy failed and was rolled back: ${why}`, {
    code: 'RISKCTL_DEPLOY_FAILED',
    exitCode: ExitCode.unavailable,
    cause: error,
    suggestions: [
      ...failures.map((failure) => `Failed: ${failure}`),
      'Fix the cause and run riskctl deploy again; riskctl destroy removes whatever is left.',
    ],
  })
}

export interface DestroyRequest {
  readonly profileName: string
  readonly region?: string | undefined
  readonly yes: boolean
}

export interface DestroyReport {
  readonly region: string
  readonly stackExisted: boolean
  readonly cancelledJobRuns: readonly string[]
  readonly profileRemoved: boolean
}

/**
 * Stops the detector's job runs, deletes the stack and the profile, then checks that the EMR
 * application is gone. Running it again finds nothing and succeeds.
 */
export async function destroy(request: DestroyRequest, deps: CloudDeps): Promise<DestroyReport> {
  const profile = deps.profiles.read(request.profileName)
  const region = request.region ?? profile?.region
  if (region === undefined) {
    throw new RiskctlError(`There is no profile "${request.profileName}" and no region to look in.`, {
      code: 'RISKCTL_PROFILE_NOT_FOUND',
      exitCode: ExitCode.badInput,
      suggestions: ['Pass --region REGION to destroy a riskctl stack deployed without this profile.'],
    })
  }
  if (!request.yes && !(await deps.confirm(`Destroy the riskctl stack in ${region}, its data included?`))) {
    throw new RiskctlError('Nothing was destroyed.', {
      code: 'RISKCTL_DESTROY_DECLINED',
      exitCode: ExitCode.precondition,
    })
  }
  const jobs = deps.jobs(region)
  const applicationId = profile?.outputs.emrApplicationId
  const cancelled = applicationId === undefined ? [] : await jobs.stopAll(applicationId)
  for (const run of cancelled) deps.log(`cancelled detector job run ${run.jobRunId} (${run.state})`)
  let existed: boolean
  try {
    existed = (await deps.toolkit(region).destroy({ region })).existed
  } catch (error) {
    throw new RiskctlError(
      `The stack could not be deleted: ${error instanceof Error ? error.message : String(error)}`,
      {
        code: 'RISKCTL_DESTROY_FAILED',
        exitCode: ExitCode.unavailable,
        cause: error,
        suggestions: [
          ...deps.failures().map((f) => `Failed: ${f}`),
          'Run riskctl destroy again; it continues where it stopped.',
        ],
      },
    )
  }
  if (applicationId !== undefined) {
    const state = await jobs.applicationState(applicationId)
    if (state !== undefined && state !== 'TERMINATED') {
      throw new RiskctlError(`The EMR Serverless application ${applicationId} is still ${state}.`, {
        code: 'RISKCTL_DESTROY_INCOMPLETE',
        exitCode: ExitCode.unavailable,
        suggestions: ['Run riskctl destroy again in a few minutes.'],
      })
    }
  }
  const profileRemoved = deps.profiles.remove(request.profileName)
  return {
    region,
    stackExisted: existed,
    cancelledJobRuns: cancelled.map((run) => run.jobRunId),
    profileRemoved,
  }
}
