import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { estimateHourlyCost, UNIT_PRICES } from '../../src/cloud/cost.js'
import { DetectorJobs } from '../../src/cloud/emr-jobs.js'
import { invokeGenerator } from '../../src/cloud/invoke-generator.js'
import { handlerEntry } from '../../src/cloud/bundle.js'
import { buildJobPackage, missingJobJars } from '../../src/cloud/job-package.js'
import { summarisePlan } from '../../src/cloud/plan.js'
import { ProfileStore, type Profile } from '../../src/config/profile-store.js'
import { progressHost, renderActivity } from '../../src/cloud/progress-lines.js'
import { detectorJobRun } from '../../src/cloud/spark-job.js'
import { JOB_PACKAGE_JARS } from '../../src/spark/emr-job-config.js'
import { profileOutputs } from '../../src/cloud/stack-outputs.js'
import { isRiskctlError } from '../../src/errors.js'
import { HANDLERS } from '../../topologies/aws/lambda-code.js'

const template = (types: string[]) => ({
  Resources: Object.fromEntries(types.map((Type, i) => [`R${i}`, { Type }])),
  Outputs: { B: {}, A: {} },
})

describe('plan and cost', () => {
  it('counts resources by type, most numerous first', () => {
    const plan = summarisePlan(
      template(['AWS::Lambda::Function', 'AWS::MSK::Cluster', 'AWS::Lambda::Function']),
    )
    expect(plan).toEqual({
      total: 3,
      resources: [
        { type: 'AWS::Lambda::Function', count: 2 },
        { type: 'AWS::MSK::Cluster', count: 1 },
      ],
      outputs: ['A', 'B'],
      interfaceEndpointAzs: 0,
    })
  })

  it('prices brokers, NAT, public addresses and a running detector; idle EMR costs nothing', () => {
    const plan = summarisePlan(
      template([
        'AWS::MSK::Cluster',
        'AWS::EC2::NatGateway',
        'AWS::EMRServerless::Application',
        'AWS::Lambda::Function',
      ]),
    )
    const cost = estimateHourlyCost(plan, { laptopAccess: false })
    const brokers = 2 * UNIT_PRICES.mskBrokerHour
    expect(cost.lines[0]).toEqual({ item: 'MSK: 2 x kafka.t3.small brokers', perHour: brokers })
    // The job asks for a driver and an executor of 2 vCPU and 6 GiB: 7 GB each with Spark's overhead.
    expect(cost.perHour - cost.idlePerHour).toBeCloseTo(
      4 * UNIT_PRICES.emrVcpuHour + 14 * UNIT_PRICES.emrGbHour,
    )
    const open = estimateHourlyCost(plan, { laptopAccess: true })
    expect(open.perHour - cost.perHour).toBeCloseTo(2 * UNIT_PRICES.publicIpv4Hour)
    expect(estimateHourlyCost(summarisePlan(template([])), { laptopAccess: false }).idlePerHour).toBeCloseTo(
      UNIT_PRICES.requestsPerHourAtDemoRates,
    )
  })
})

describe('profiles', () => {
  const outputs: Profile['outputs'] = {
    apiUrl: 'https://api',
    bootstrapBrokers: 'b:9098',
    emrApplicationId: 'app',
    jobRoleArn: 'role',
    bucket: 'bucket',
    dashboardUrl: 'dash',
    generatorFunction: 'gen',
    tokenSecretArn: 'secret',
    clusterArn: 'cluster',
  }

  it('round-trips, owner-only, and refuses names that are paths', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-profiles-'))
    const store = new ProfileStore(dir)
    const profile: Profile = {
      name: 'class',
      region: 'eu-west-1',
      stackName: 'Riskctl',
      deployedAt: 'now',
      outputs,
    }
    const file = store.write(profile)
    expect(file).toBe(path.join(dir, 'profiles', 'class.json'))
    expect(store.read('class')).toEqual(profile)
    expect(fs.statSync(file).mode & 0o077).toBe(0)
    expect(store.remove('class')).toBe(true)
    expect(store.remove('class')).toBe(false)
    expect(store.read('class')).toBeUndefined()
    expect(() => store.pathOf('../etc')).toThrow(/not a valid profile name/)
    fs.writeFileSync(path.join(dir, 'profiles', 'bad.json'), '{"name": 1}')
    expect(() => store.read('bad')).toThrow(/not one riskctl wrote/)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('takes the outputs from the stack, and says which one is missing', () => {
    const stack = {
      ApiUrl: 'https://api',
      BootstrapBrokers: 'b:9098',
      EmrApplicationId: 'app',
      JobRoleArn: 'role',
      ArtifactsBucket: 'bucket',
      DashboardUrl: 'dash',
      GeneratorFunction: 'gen',
      OperatorTokenSecretArn: 'secret',
      ClusterArn: 'cluster',
    }
    expect(profileOutputs(stack)).toEqual(outputs)
    const error = (() => {
      try {
        return profileOutputs({ ...stack, ApiUrl: '' })
      } catch (e) {
        return e
      }
    })()
    expect(isRiskctlError(error) && error.message).toContain('ApiUrl')
  })
})

describe('progress lines', () => {
  const activity = (status: string, reason?: string) =>
    ({
      deployment: 'd',
      event: {
        ResourceStatus: status,
        ResourceType: 'AWS::MSK::Cluster',
        LogicalResourceId: 'KafkaCluster',
        ResourceStatusReason: reason,
      },
      progress: { completed: 3, total: 90, formatted: '3/90' },
    }) as Parameters<typeof renderActivity>[0]

  it('renders one line per resource event, with the reason of a failure', () => {
    expect(renderActivity(activity('CREATE_IN_PROGRESS'))).toBe(
      '[ 3/90] CREATE_IN_PROGRESS   AWS::MSK::Cluster KafkaCluster',
    )
    expect(renderActivity(activity('CREATE_FAILED', 'quota'))).toContain(
      'CREATE_FAILED        AWS::MSK::Cluster KafkaCluster - quota',
    )
  })

  it('the IoHost writes activity, warnings and errors, remembers failures, and confirms the deploy', async () => {
    const lines: string[] = []
    const host = progressHost((line) => lines.push(line))
    const base = { time: new Date(), action: 'deploy' as const }
    await host.notify({
      ...base,
      level: 'info',
      code: 'CDK_TOOLKIT_I5502',
      message: '',
      data: activity('CREATE_FAILED', 'quota'),
    })
    await host.notify({
      ...base,
      level: 'info',
      code: 'CDK_TOOLKIT_I0000',
      message: 'chatter',
      data: undefined,
    })
    await host.notify({
      ...base,
      level: 'error',
      code: 'CDK_TOOLKIT_E5500',
      message: 'stack failed',
      data: undefined,
    })
    expect(lines).toEqual([expect.stringContaining('CREATE_FAILED'), 'error: stack failed'])
    expect(host.failures).toEqual(['CREATE_FAILED        AWS::MSK::Cluster KafkaCluster - quota'])
    const answer = await host.requestResponse({
      ...base,
      level: 'info',
      code: 'CDK_TOOLKIT_I5060',
      message: 'confirm?',
      data: {},
      defaultResponse: false,
    })
    expect(answer).toBe(true)
  })
})

describe('the detector job run', () => {
  const input = {
    applicationId: 'app',
    executionRoleArn: 'role',
    bucket: 'bkt',
    bootstrapBrokers: 'b-1:9098',
    clientToken: 'tok',
  }

  it('runs the uploaded package in streaming mode over MSK IAM, checkpointing to the bucket', () => {
    const run = detectorJobRun(input)
    expect(run.mode).toBe('STREAMING')
    expect(run.jobDriver.sparkSubmit.entryPoint).toBe('s3://bkt/spark/job/risk_detector.py')
    const args = run.jobDriver.sparkSubmit.entryPointArguments
    expect(args.slice(0, 6)).toEqual([
      '--brokers',
      'b-1:9098',
      '--topology',
      'detector.json',
      '--checkpoint',
      's3://bkt/spark/checkpoints/detector',
    ])
    expect(args).toContain('kafka.sasl.mechanism=AWS_MSK_IAM')
    const submit = run.jobDriver.sparkSubmit.sparkSubmitParameters
    expect(submit).toContain('--py-files s3://bkt/spark/job/riskjob.zip')
    // Every jar from the uploaded package, the MSK IAM login module among them: nothing fetched at start.
    for (const jar of JOB_PACKAGE_JARS) expect(submit).toContain(`s3://bkt/spark/job/jars/${jar}`)
    expect(submit).not.toContain('spark.jars.packages')
    expect(run.configurationOverrides?.monitoringConfiguration.s3MonitoringConfiguration.logUri).toBe(
      's3://bkt/spark/logs/',
    )
  })

  it('sends exactly StartJobRun then GetJobRun, and cancels only active runs before stopping', async () => {
    const sent: { name: string; input: unknown }[] = []
    const client = {
      send: async (command: { constructor: { name: string }; input: unknown }) => {
        sent.push({ name: command.constructor.name, input: command.input })
        if (command.constructor.name === 'StartJobRunCommand') return { jobRunId: 'run-9' }
        if (command.constructor.name === 'GetJobRunCommand') return { jobRun: { state: 'SCHEDULED' } }
        if (command.constructor.name === 'ListJobRunsCommand')
          return {
            jobRuns: [
              { id: 'a', state: 'RUNNING' },
              { id: 'b', state: 'CANCELLING' },
            ],
          }
        return {}
      },
    }
    const jobs = new DetectorJobs(client as unknown as ConstructorParameters<typeof DetectorJobs>[0])
    expect(await jobs.start(input)).toEqual({ jobRunId: 'run-9', state: 'SCHEDULED', details: undefined })
    expect(sent.map((s) => s.name)).toEqual(['StartJobRunCommand', 'GetJobRunCommand'])
    expect(sent[0]!.input).toEqual(detectorJobRun(input))
    sent.length = 0
    await jobs.stopAll('app')
    expect(sent.map((s) => s.name)).toEqual([
      'ListJobRunsCommand',
      'CancelJobRunCommand',
      'StopApplicationCommand',
    ])
    expect(sent[1]!.input).toEqual({ applicationId: 'app', jobRunId: 'a' })
  })
})

describe('what gets bundled and uploaded', () => {
  it('every handler has its source file', () => {
    for (const handler of HANDLERS) expect(fs.existsSync(handlerEntry(handler)), handler).toBe(true)
  })

  it('packages the Spark job: entry point, settings, the riskjob modules as a zip, and every jar', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-job-'))
    // The jars' contents are Maven's business (test/spark/test_emr_package.py runs the real ones).
    const jarsDir = path.join(dir, 'cache')
    fs.mkdirSync(jarsDir)
    for (const jar of JOB_PACKAGE_JARS) fs.writeFileSync(path.join(jarsDir, jar), jar)
    const root = path.resolve(import.meta.dirname, '../..')
    const out = buildJobPackage(path.join(dir, 'package'), { root, jarsDir })
    expect(fs.readdirSync(out).sort()).toEqual(['detector.json', 'jars', 'risk_detector.py', 'riskjob.zip'])
    expect(fs.readdirSync(path.join(out, 'jars')).sort()).toEqual([...JOB_PACKAGE_JARS].sort())
    const zip = fs.readFileSync(path.join(out, 'riskjob.zip'))
    expect(zip.readUInt32LE(0)).toBe(0x04034b50)
    expect(zip.includes(Buffer.from('riskjob/stateful.py'))).toBe(true)

    fs.rmSync(path.join(jarsDir, JOB_PACKAGE_JARS[4]))
    expect(missingJobJars(jarsDir)).toEqual([JOB_PACKAGE_JARS[4]])
    expect(() => buildJobPackage(path.join(dir, 'again'), { root, jarsDir })).toThrow(
      /lacks aws-msk-iam-auth-2\.3\.2-all\.jar/,
    )
    expect(fs.existsSync(path.join(dir, 'again'))).toBe(false)
    fs.rmSync(dir, { recursive: true, force: true })
  })
})

describe('the generator on Lambda', () => {
  it('invokes the generator function asynchronously with the seed payload, exactly', async () => {
    const sent: unknown[] = []
    const client = {
      send: async (command: { input: unknown }) => {
        sent.push(command.input)
        return { StatusCode: 202 }
      },
    }
    const payload = { mode: 'panic' as const, account_id: '12345', duration_seconds: 60, rate_per_second: 50 }
    const result = await invokeGenerator(
      { region: 'eu-west-1', functionName: 'Riskctl-Generator' },
      payload,
      client as unknown as Parameters<typeof invokeGenerator>[2],
    )
    expect(result).toEqual({ statusCode: 202 })
    const input = sent[0] as { FunctionName: string; InvocationType: string; Payload: Uint8Array }
    expect(input.FunctionName).toBe('Riskctl-Generator')
    expect(input.InvocationType).toBe('Event')
    expect(JSON.parse(Buffer.from(input.Payload).toString('utf8'))).toEqual(payload)
  })
})
