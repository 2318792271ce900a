import { describe, expect, it } from 'vitest'
import { runDoctor, type DoctorProbes } from '../../src/cloud/doctor.js'
import type { Profile } from '../../src/config/profile-store.js'
import { TOPIC_NAMES } from '../../topologies/topics.js'

const profile: Profile = {
  name: 'class',
  region: 'eu-west-1',
  stackName: 'Riskctl',
  deployedAt: '2026-11-27T10:00:00Z',
  jobRunId: 'run-1',
  outputs: {
    apiUrl: 'https://api.example/',
    bootstrapBrokers: 'b-1:9098',
    publicBootstrapBrokers: 'b-1-public:9198',
    emrApplicationId: 'app',
    jobRoleArn: 'role',
    bucket: 'bkt',
    dashboardUrl: 'dash',
    generatorFunction: 'gen',
    tokenSecretArn: 'secret',
    clusterArn: 'cluster',
  },
}

const healthy: DoctorProbes = {
  health: async () => ({ status: 200 }),
  kafka: async () => ({ topics: [...TOPIC_NAMES], stateCleanupPolicy: 'compact' }),
  jobRun: async () => ({ state: 'RUNNING' }),
  mappings: async () => [
    { functionArn: 'router', topic: 'orders.v1', state: 'Enabled', lastResult: 'OK' },
    {
      functionArn: 'aggregator',
      topic: 'killswitch.commands.v1',
      state: 'Enabled',
      lastResult: 'No records processed',
    },
  ],
}

describe('riskctl doctor', () => {
  it('passes a healthy deployment, asking each probe the right thing', async () => {
    const asked: string[] = []
    const checks = await runDoctor(profile, {
      health: async (url) => (asked.push(url), { status: 200 }),
      kafka: async (brokers) => (asked.push(brokers), healthy.kafka(brokers)),
      jobRun: async (app, run) => (asked.push(`${app}/${run}`), { state: 'RUNNING' }),
      mappings: async (cluster) => (asked.push(cluster), healthy.mappings(cluster)),
    })
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['console API', 'ok'],
      ['topics', 'ok'],
      ['detector job', 'ok'],
      ['functions', 'ok'],
    ])
    expect(asked).toEqual(['https://api.example/health', 'b-1-public:9198', 'app/run-1', 'cluster'])
  })

  it('names each problem and its fix, and keeps checking after a failure', async () => {
    const checks = await runDoctor(profile, {
      health: async () => {
        throw new Error('getaddrinfo ENOTFOUND')
      },
      kafka: async () => ({ topics: TOPIC_NAMES.slice(1), stateCleanupPolicy: 'compact' }),
      jobRun: async () => ({ state: 'FAILED', details: 'OutOfMemory' }),
      mappings: async () => [
        { functionArn: 'r', topic: 'orders.v1', state: 'Enabled', lastResult: 'PROBLEM: Connection error' },
      ],
    })
    expect(checks.every((c) => c.status === 'fail')).toBe(true)
    expect(checks.map((c) => c.detail)).toEqual([
      'getaddrinfo ENOTFOUND',
      `missing: ${TOPIC_NAMES[0]}`,
      'job run run-1 is FAILED: OutOfMemory',
      'orders.v1: Enabled, PROBLEM: Connection error',
    ])
  })

  it('skips the topics when MSK is private, saying how to reach it', async () => {
    const { publicBootstrapBrokers: _, ...outputs } = profile.outputs
    const checks = await runDoctor({ ...profile, outputs }, healthy)
    expect(checks[1]).toMatchObject({
      name: 'topics',
      status: 'skip',
      fix: expect.stringContaining('--laptop-access'),
    })
  })

  it('flags a state topic that is not compacted', async () => {
    const checks = await runDoctor(profile, {
      ...healthy,
      kafka: async () => ({ topics: [...TOPIC_NAMES], stateCleanupPolicy: 'delete' }),
    })
    expect(checks[1]?.status).toBe('fail')
  })
})
