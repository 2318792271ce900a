import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StackOptions } from '../../src/cloud/assembly.js'
import type { CloudToolkit } from '../../src/cloud/cloud-toolkit.js'
import { deploy, destroy, type CloudDeps } from '../../src/cloud/deployer.js'
import type { DetectorJobs, JobRunStatus } from '../../src/cloud/emr-jobs.js'
import type { DetectorJobInput } from '../../src/cloud/spark-job.js'
import { ProfileStore } from '../../src/config/profile-store.js'
import { isRiskctlError } from '../../src/errors.js'
import { OUTPUTS } from '../../topologies/aws/riskctl-stack.js'

const STACK_OUTPUTS: Record<string, string> = {
  [OUTPUTS.apiUrl]: 'https://abc.execute-api.eu-west-1.amazonaws.com',
  [OUTPUTS.bootstrapBrokers]: 'b-1.riskctl:9098,b-2.riskctl:9098',
  [OUTPUTS.emrApplicationId]: '00app',
  [OUTPUTS.jobRoleArn]: 'arn:aws:iam::123456789012:role/job',
  [OUTPUTS.bucket]: 'riskctl-artifacts',
  [OUTPUTS.dashboardUrl]: 'https://console/dash',
  [OUTPUTS.generatorFunction]: 'Riskctl-Generator',
  [OUTPUTS.tokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token',
  [OUTPUTS.clusterArn]: 'arn:aws:kafka:eu-west-1:123456789012:cluster/riskctl/uuid',
}

/** A toolkit and an EMR client that record what they would have been asked; no AWS anywhere. */
function fakes(options: { failDeploy?: boolean; stackExists?: boolean; activeRuns?: JobRunStatus[] } = {}) {
  const calls: string[] = []
  const deployed: StackOptions[] = []
  const started: DetectorJobInput[] = []
  let stackExists = options.stackExists ?? false
  let applicationState: string | undefined = 'CREATED'
  const toolkit: CloudToolkit = {
    async deploy(stack) {
      calls.push(`deploy laptop=${stack.laptopCidr ?? '-'}`)
      deployed.push(stack)
      if (options.failDeploy) throw new Error('ROLLBACK_COMPLETE')
      stackExists = true
      return stack.laptopCidr
        ? { ...STACK_OUTPUTS, [OUTPUTS.publicBootstrapBrokers]: 'b-1.public:9198' }
        : STACK_OUTPUTS
    },
    async destroy() {
      calls.push('destroy')
      const existed = stackExists
      stackExists = false
      applicationState = undefined
      return { existed }
    },
  }
  const jobs = {
    async active() {
      return options.activeRuns ?? []
    },
    async start(input: DetectorJobInput) {
      started.push(input)
      calls.push('start job')
      return { jobRunId: 'run-1', state: 'SUBMITTED' }
    },
    async stopAll() {
      calls.push('stop jobs')
      return options.activeRuns ?? []
    },
    async applicationState() {
      return applicationState
    },
  } as unknown as DetectorJobs
  return { toolkit, jobs, calls, deployed, started }
}

describe('deploy and destroy, with the toolkit and EMR injected', () => {
  let configDir: string
  let lines: string[]
  let asked: string[]

  beforeEach(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-cloud-'))
    lines = []
    asked = []
  })
  afterEach(() => fs.rmSync(configDir, { recursive: true, force: true }))

  function deps(f: ReturnType<typeof fakes>, answer = true): CloudDeps {
    return {
      toolkit: () => f.toolkit,
      jobs: () => f.jobs,
      profiles: new ProfileStore(configDir),
      confirm: async (question) => {
        asked.push(question)
        return answer
      },
      log: (line) => lines.push(line),
      build: async () => ({ bundleDir: '/bundles', jobPackageDir: '/job' }),
      failures: () => ['CREATE_FAILED AWS::MSK::Cluster KafkaCluster - quota exceeded'],
      now: () => new Date('2026-11-27T10:00:00Z'),
      newToken: () => 'token-1',
    }
  }

  it('a dry run plans and prices without asking, building or deploying', async () => {
    const f = fakes()
    const report = await deploy(
      { profileName: 'class', region: 'eu-west-1', dryRun: true, yes: false },
      deps(f),
    )
    expect(report.dryRun).toBe(true)
    expect(f.calls).toEqual([])
    expect(asked).toEqual([])
    expect(report.plan.resources).toContainEqual({ type: 'AWS::MSK::Cluster', count: 1 })
    expect(report.cost.perHour).toBeGreaterThan(0.3)
    expect(report.cost.perHour).toBeLessThan(6)
    expect(lines.join('\n')).toMatch(/riskctl will create \d+ resources in eu-west-1/)
    expect(lines.join('\n')).toContain('kafka.t3.small')
  }, 60_000)

  it('asks first, deploys the bundles, saves the profile and starts the detector', async () => {
    const f = fakes()
    const report = await deploy(
      { profileName: 'class', region: 'eu-west-1', dryRun: false, yes: false },
      deps(f),
    )
    expect(asked).toHaveLength(1)
    expect(f.calls).toEqual(['deploy laptop=-', 'start job'])
    expect(f.deployed[0]).toMatchObject({ bundleDir: '/bundles', jobPackageDir: '/job', region: 'eu-west-1' })
    expect(f.started[0]).toEqual({
      applicationId: '00app',
      executionRoleArn: 'arn:aws:iam::123456789012:role/job',
      bucket: 'riskctl-artifacts',
      bootstrapBrokers: 'b-1.riskctl:9098,b-2.riskctl:9098',
      clientToken: 'token-1',
    })
    const saved = new ProfileStore(configDir).read('class')
    expect(saved).toEqual(report.profile)
    expect(saved).toMatchObject({
      region: 'eu-west-1',
      jobRunId: 'run-1',
      outputs: { emrApplicationId: '00app' },
    })
    expect((fs.statSync(report.profilePath!).mode & 0o777).toString(8)).toBe('600')
  }, 60_000)

  it('declining deploys nothing', async () => {
    const f = fakes()
    const error = await deploy(
      { profileName: 'class', region: 'eu-west-1', dryRun: false, yes: false },
      deps(f, false),
    ).catch((e: unknown) => e)
    expect(isRiskctlError(error) && error.code).toBe('RISKCTL_DEPLOY_DECLINED')
    expect(f.calls).toEqual([])
  }, 60_000)

  it('a failed deploy says what failed and why, and saves no profile', async () => {
    const f = fakes({ failDeploy: true })
    const error = await deploy(
      { profileName: 'class', region: 'eu-west-1', dryRun: false, yes: true },
      deps(f),
    ).catch((e: unknown) => e)
    expect(isRiskctlError(error) && error.code).toBe('RISKCTL_DEPLOY_FAILED')
    expect(isRiskctlError(error) && error.suggestions.join('\n')).toContain(
      'AWS::MSK::Cluster KafkaCluster - quota exceeded',
    )
    expect(new ProfileStore(configDir).read('class')).toBeUndefined()
  }, 60_000)

  it('laptop access on a new cluster deploys it private first, then opens it', async () => {
    const f = fakes()
    const report = await deploy(
      { profileName: 'class', region: 'eu-west-1', laptopCidr: '203.0.113.7/32', dryRun: false, yes: true },
      deps(f),
    )
    expect(f.calls).toEqual(['deploy laptop=-', 'deploy laptop=203.0.113.7/32', 'start job'])
    expect(report.profile?.outputs.publicBootstrapBrokers).toBe('b-1.public:9198')
    const again = fakes()
    await deploy(
      { profileName: 'class', region: 'eu-west-1', laptopCidr: '203.0.113.7/32', dryRun: false, yes: true },
      deps(again),
    )
    expect(again.calls).toEqual(['deploy laptop=203.0.113.7/32', 'start job'])
  }, 60_000)

  it('does not start a second detector when one is running', async () => {
    const f = fakes({ activeRuns: [{ jobRunId: 'run-0', state: 'RUNNING' }] })
    const report = await deploy(
      { profileName: 'class', region: 'eu-west-1', dryRun: false, yes: true },
      deps(f),
    )
    expect(f.calls).toEqual(['deploy laptop=-'])
    expect(report.profile?.jobRunId).toBe('run-0')
  }, 60_000)

  it('destroy stops the jobs, deletes the stack and the profile, and is idempotent', async () => {
    const f = fakes({ activeRuns: [{ jobRunId: 'run-1', state: 'RUNNING' }] })
    await deploy({ profileName: 'class', region: 'eu-west-1', dryRun: false, yes: true }, deps(f))
    f.calls.length = 0
    const first = await destroy({ profileName: 'class', yes: true }, deps(f))
    expect(f.calls).toEqual(['stop jobs', 'destroy'])
    expect(first).toEqual({
      region: 'eu-west-1',
      stackExisted: true,
      cancelledJobRuns: ['run-1'],
      profileRemoved: true,
    })
    const second = await destroy({ profileName: 'class', region: 'eu-west-1', yes: true }, deps(f))
    expect(second).toMatchObject({ stackExisted: false, profileRemoved: false })
  }, 60_000)

  it('destroy without a profile needs a region', async () => {
    const error = await destroy({ profileName: 'nope', yes: true }, deps(fakes())).catch((e: unknown) => e)
    expect(isRiskctlError(error) && error.code).toBe('RISKCTL_PROFILE_NOT_FOUND')
  })
})
