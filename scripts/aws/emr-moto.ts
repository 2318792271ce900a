import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateApplicationCommand, DeleteApplicationCommand } from '@aws-sdk/client-emr-serverless'
import type { CloudToolkit } from '../../src/cloud/cloud-toolkit.js'
import { deploy, destroy, type CloudDeps } from '../../src/cloud/deployer.js'
import { createEmrClient, DetectorJobs } from '../../src/cloud/emr-jobs.js'
import { ProfileStore } from '../../src/config/profile-store.js'
import { OUTPUTS } from '../../topologies/aws/riskctl-stack.js'
import { EMR_RELEASE_LABEL } from '../../topologies/aws/names.js'

/**
 * deploy's and destroy's EMR Serverless calls against moto server (the endpoint in argv[2]): the
 * real SDK client and DetectorJobs, a stand-in only for CloudFormation, which moto cannot deploy
 * this stack to. Never run against AWS: it refuses an endpoint that is not on 127.0.0.1.
 */
const endpoint = process.argv[2] ?? ''
assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/, 'pass the moto server endpoint, http://127.0.0.1:PORT')
const region = 'us-east-1'
const emr = createEmrClient({ region, endpoint })

// What CloudFormation would have created from the template.
const created = await emr.send(
  new CreateApplicationCommand({
    name: 'riskctl-detector',
    releaseLabel: EMR_RELEASE_LABEL,
    type: 'SPARK',
    clientToken: 'ct',
  }),
)
const applicationId = created.applicationId!
const outputs: Record<string, string> = {
  [OUTPUTS.apiUrl]: 'https://api.example',
  [OUTPUTS.bootstrapBrokers]: 'b-1.riskctl.example:9098',
  [OUTPUTS.emrApplicationId]: applicationId,
  [OUTPUTS.jobRoleArn]: 'arn:aws:iam::123456789012:role/riskctl-job',
  [OUTPUTS.bucket]: 'riskctl-artifacts',
  [OUTPUTS.dashboardUrl]: 'https://dashboard.example',
  [OUTPUTS.generatorFunction]: 'riskctl-generator',
  [OUTPUTS.tokenSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token',
  [OUTPUTS.clusterArn]: 'arn:aws:kafka:us-east-1:123456789012:cluster/riskctl/uuid',
}
const toolkit: CloudToolkit = {
  deploy: async () => outputs,
  destroy: async () => {
    await emr.send(new DeleteApplicationCommand({ applicationId }))
    return { existed: true }
  },
}
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-moto-'))
const lines: string[] = []
const deps: CloudDeps = {
  toolkit: () => toolkit,
  jobs: () => new DetectorJobs(emr),
  profiles: new ProfileStore(configDir),
  confirm: async () => true,
  log: (line) => lines.push(line),
  build: async () => ({ bundleDir: '/unused', jobPackageDir: '/unused' }),
  failures: () => [],
  now: () => new Date(),
  newToken: () => 'job-token-1',
}

const report = await deploy({ profileName: 'moto', region, dryRun: false, yes: true }, deps)
assert.ok(report.jobRun?.jobRunId, 'deploy started a job run')
console.log(`deploy: job run ${report.jobRun.jobRunId} is ${report.jobRun.state}`)
const jobs = new DetectorJobs(emr)
const status = await jobs.status(applicationId, report.jobRun.jobRunId)
assert.equal(status.jobRunId, report.jobRun.jobRunId)
assert.equal(new ProfileStore(configDir).read('moto')?.jobRunId, report.jobRun.jobRunId)

const again = await deploy({ profileName: 'moto', region, dryRun: false, yes: true }, deps)
const active = await jobs.active(applicationId)
console.log(`redeploy: ${active.length} active run(s), kept ${again.jobRun?.jobRunId}`)

const activeBefore = (await jobs.active(applicationId)).map((run) => run.jobRunId)
const destroyed = await destroy({ profileName: 'moto', yes: true }, deps)
assert.equal(destroyed.stackExisted, true)
// moto completes job runs at once, so there is rarely one left to cancel; the unit tests check the cancel requests.
assert.deepEqual(destroyed.cancelledJobRuns, activeBefore)
assert.notEqual(await jobs.applicationState(applicationId), 'STARTED')
assert.equal(new ProfileStore(configDir).read('moto'), undefined)
console.log(
  `destroy: cancelled [${destroyed.cancelledJobRuns.join(', ')}]; application ${(await jobs.applicationState(applicationId)) ?? 'gone'}`,
)

const twice = await destroy(
  { profileName: 'moto', region, yes: true },
  { ...deps, toolkit: () => ({ ...toolkit, destroy: async () => ({ existed: false }) }) },
)
assert.equal(twice.stackExisted, false)
console.log('destroy again: nothing to destroy (idempotent)')
fs.rmSync(configDir, { recursive: true, force: true })
console.log('EMR Serverless against moto: ok')
