import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProfileStore, type Profile } from '../../src/config/profile-store.js'
import { kafkaConnectionFromEnv } from '../../src/config/kafka-connection.js'
import { clusterIsPrivate, operatorTokenMissing } from '../../src/config/profile-settings.js'
import { resolveConfig, type StoredProfile } from '../../src/config/resolve-config.js'
import { ExitCode, isRiskctlError } from '../../src/errors.js'
import { sampleProfile } from '../helpers/profile.js'

const profile = sampleProfile

const FILE = '/home/op/.config/riskctl/profiles/class.json'
const stored =
  (found: Profile | undefined) =>
  (name: string): StoredProfile => ({
    file: FILE.replace('class', name),
    profile: name === 'class' ? found : undefined,
  })

const resolve = (
  flags: Record<string, string>,
  env: NodeJS.ProcessEnv,
  found: Profile | undefined = profile(),
) => resolveConfig(flags, { defaultDataDir: '/data/riskctl', env, readProfile: stored(found) })

function thrown(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected it to throw')
}

describe('resolveConfig with a riskctl profile', () => {
  it('reaches MSK over its public IAM listener: public brokers, TLS, SASL aws-iam in the profile region', () => {
    // Given a shell whose AWS_REGION is another region than the deployment's
    const config = resolve({ profile: 'class' }, { AWS_REGION: 'us-east-1' })
    expect(config.backend).toEqual({
      type: 'kafka',
      brokers: ['b-1-public.riskctl.example:9198', 'b-2-public.riskctl.example:9198'],
      dataDir: path.resolve('/data/riskctl/profiles/class'),
    })
    expect(kafkaConnectionFromEnv(config.env)).toEqual({
      ssl: true,
      sasl: { mechanism: 'aws-iam', region: 'eu-west-1' },
    })
    expect(config.apiUrl).toBe('https://abc.execute-api.eu-west-1.amazonaws.com')
    expect(config.profileName).toBe('class')
    expect(config.deployment).toMatchObject({
      name: 'class',
      file: FILE,
      region: 'eu-west-1',
      generatorFunction: 'Riskctl-GeneratorFunction-abc',
    })
  })

  it('takes the name from RISKCTL_PROFILE, and the flag beats it', () => {
    expect(resolve({}, { RISKCTL_PROFILE: 'class' }).deployment?.name).toBe('class')
    const error = thrown(() => resolve({ profile: 'other' }, { RISKCTL_PROFILE: 'class' }))
    expect(isRiskctlError(error) && error.code).toBe('RISKCTL_PROFILE_NOT_FOUND')
  })

  it('lets every explicit flag or variable win over the profile, and ignores blank ones', () => {
    const config = resolve(
      { profile: 'class', 'data-dir': '/elsewhere' },
      {
        RISKCTL_BROKERS: 'localhost:9198',
        RISKCTL_API_URL: 'http://127.0.0.1:8000',
        RISKCTL_AWS_REGION: 'eu-central-1',
        RISKCTL_KAFKA_SSL: '',
      },
    )
    expect(config.backend).toEqual({
      type: 'kafka',
      brokers: ['localhost:9198'],
      dataDir: path.resolve('/elsewhere'),
    })
    expect(config.apiUrl).toBe('http://127.0.0.1:8000')
    expect(kafkaConnectionFromEnv(config.env)).toEqual({
      ssl: true,
      sasl: { mechanism: 'aws-iam', region: 'eu-central-1' },
    })
    expect(resolve({ profile: 'class', brokers: 'b:1' }, { RISKCTL_BROKERS: 'x:2' }).backend).toMatchObject({
      brokers: ['b:1'],
    })
    expect(
      resolve({ profile: 'class' }, { RISKCTL_KAFKA_SASL_MECHANISM: 'plain' }).env
        .RISKCTL_KAFKA_SASL_MECHANISM,
    ).toBe('plain')
  })

  it('refuses a profile that does not exist with exit 2, its path and how to create it', () => {
    const error = thrown(() => resolve({ profile: 'nope' }, {}))
    expect(isRiskctlError(error)).toBe(true)
    if (!isRiskctlError(error)) return
    expect(error.exitCode).toBe(ExitCode.badInput)
    expect(error.message).toContain('/home/op/.config/riskctl/profiles/nope.json')
    expect(error.suggestions.join('\n')).toContain('riskctl deploy --profile nope')
  })

  it('leaves a deployment without laptop access on no log at all; commands that need it say why', () => {
    const config = resolve({ profile: 'class' }, {}, profile({ publicBootstrapBrokers: undefined }))
    expect(config.deployment?.publicBrokers).toBeUndefined()
    expect(config.backend.type).toBe('embedded')
    expect(config.apiUrl).toBe('https://abc.execute-api.eu-west-1.amazonaws.com')
    const error = clusterIsPrivate(config.deployment!)
    expect(error.exitCode).toBe(ExitCode.precondition)
    expect(error.suggestions[0]).toContain('riskctl deploy --profile class --laptop-access <your-ip>/32')
  })

  it('tells how to fetch the console token from Secrets Manager, and never holds one itself', () => {
    const config = resolve({ profile: 'class' }, {})
    expect(config.operatorToken).toBeUndefined()
    const error = operatorTokenMissing(config.deployment!)
    expect(error.exitCode).toBe(ExitCode.unauthorised)
    expect(error.suggestions[0]).toBe(
      'export RISKCTL_OPERATOR_TOKEN="$(aws secretsmanager get-secret-value --region eu-west-1 --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:OperatorToken-abc --query SecretString --output text)"',
    )
  })

  it('only takes the name when the command reads profiles itself (deploy, destroy, doctor)', () => {
    const config = resolveConfig({ profile: 'nope' }, { defaultDataDir: '/data/riskctl', env: {} })
    expect(config.profileName).toBe('nope')
    expect(config.deployment).toBeUndefined()
    expect(config.backend).toEqual({ type: 'embedded', dataDir: path.resolve('/data/riskctl') })
  })

  it('changes nothing without a profile', () => {
    const env = { RISKCTL_BROKERS: 'k:9092', HOME: '/home/op' }
    const config = resolve({}, env)
    expect(config.profileName).toBeUndefined()
    expect(config.deployment).toBeUndefined()
    expect(config.env).toEqual(env)
    expect(config.apiUrl).toBeUndefined()
    expect(config.backend).toEqual({
      type: 'kafka',
      brokers: ['k:9092'],
      dataDir: path.resolve('/data/riskctl'),
    })
  })
})

describe('resolveConfig with profiles on disk', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-config-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('follows the file riskctl deploy wrote', () => {
    const store = new ProfileStore(dir)
    const file = store.write(profile())
    const config = resolveConfig(
      { profile: 'class' },
      {
        defaultDataDir: dir,
        env: {},
        readProfile: (name) => ({ file: store.pathOf(name), profile: store.read(name) }),
      },
    )
    expect(config.deployment?.file).toBe(file)
    expect(config.backend).toMatchObject({
      type: 'kafka',
      brokers: ['b-1-public.riskctl.example:9198', 'b-2-public.riskctl.example:9198'],
    })
  })
})
