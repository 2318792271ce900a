import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environmentAs, kafkaCredentialsFromEnv, processorUser } from '../../../src/config/kafka-credentials.js'
import { isRiskctlError } from '../../../src/errors.js'

const SECRET = 'Sup3rSecretPassw0rdNeverPrinted'
const user = (username: string, password = `${SECRET}-${username}`) => ({ username, password })
const whole = {
  mechanism: 'scram-sha-512',
  admin: user('admin'),
  processors: {
    router: user('router'),
    detector: user('detector'),
    aggregator: user('aggregator'),
    'audit-indexer': user('indexer'),
    console: user('console'),
  },
  generator: user('generator'),
  operators: { alice: { ...user('alice'), role: 'operator' }, carol: { ...user('carol'), role: 'viewer' } },
}

function failure(work: () => unknown): { code: string; exitCode: number; text: string } {
  try {
    work()
  } catch (error) {
    if (isRiskctlError(error)) return { code: error.code, exitCode: error.exitCode, text: JSON.stringify({ m: error.message, s: error.suggestions }) }
    throw error
  }
  throw new Error('expected a RiskctlError')
}

describe('the Kafka credentials file riskctl up reads', () => {
  let dir: string
  const write = (text: string, mode = 0o600) => {
    const file = path.join(dir, 'credentials.json')
    fs.writeFileSync(file, text, { mode })
    fs.chmodSync(file, mode)
    return { RISKCTL_KAFKA_CREDENTIALS: file }
  }
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-credentials-'))
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('is unset without RISKCTL_KAFKA_CREDENTIALS, and read with each processor\'s user when set', () => {
    expect(kafkaCredentialsFromEnv({})).toBeUndefined()
    const credentials = kafkaCredentialsFromEnv(write(JSON.stringify(whole)))!
    expect(credentials.mechanism).toBe('scram-sha-512')
    expect(processorUser(credentials, 'audit-indexer')).toEqual(user('indexer'))
  })

  it('gives a processor its own user and no one else\'s, and leaves the file out of its environment', () => {
    const env = { ...write(JSON.stringify(whole)), RISKCTL_KAFKA_SASL_USERNAME: 'shell-user', RISKCTL_KAFKA_SASL_PASSWORD: 'shell-pw', RISKCTL_BROKERS: 'b:1' }
    const routerEnv = environmentAs(env, kafkaCredentialsFromEnv(env)!, 'router')
    expect(routerEnv).toMatchObject({
      RISKCTL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      RISKCTL_KAFKA_SASL_USERNAME: 'router',
      RISKCTL_KAFKA_SASL_PASSWORD: `${SECRET}-router`,
      RISKCTL_BROKERS: 'b:1',
    })
    expect(routerEnv.RISKCTL_KAFKA_CREDENTIALS).toBeUndefined()
    const others = ['admin', 'detector', 'aggregator', 'indexer', 'console', 'generator', 'alice', 'carol']
    for (const other of others) expect(JSON.stringify(routerEnv)).not.toContain(`${SECRET}-${other}`)
  })

  it('refuses a file its group or others may read (exit 4)', () => {
    const refused = failure(() => kafkaCredentialsFromEnv(write(JSON.stringify(whole), 0o640)))
    expect(refused).toMatchObject({ code: 'RISKCTL_SECRET_FILE_EXPOSED', exitCode: 4 })
    expect(refused.text).not.toContain(SECRET)
  })

  it('refuses a missing, malformed or incomplete file (exit 2) without quoting a password', () => {
    expect(failure(() => kafkaCredentialsFromEnv({ RISKCTL_KAFKA_CREDENTIALS: path.join(dir, 'nope.json') }))).toMatchObject({
      code: 'RISKCTL_KAFKA_CREDENTIALS_INVALID',
      exitCode: 2,
    })
    // Cut off in the middle of a password: a JSON parser's own message would show the text around it.
    const truncated = failure(() => kafkaCredentialsFromEnv(write(JSON.stringify(whole).slice(0, 200))))
    expect(truncated).toMatchObject({ code: 'RISKCTL_KAFKA_CREDENTIALS_INVALID', exitCode: 2 })
    expect(truncated.text).not.toContain(SECRET.slice(0, 8))
    const wrongShape = failure(() => kafkaCredentialsFromEnv(write(JSON.stringify({ ...whole, processors: { router: { username: 'router', password: 42 } } }))))
    expect(wrongShape.text).toContain('processors.router.password')
    const incomplete = kafkaCredentialsFromEnv(write(JSON.stringify({ processors: { router: user('router') } })))!
    const missing = failure(() => processorUser(incomplete, 'console'))
    expect(missing).toMatchObject({ code: 'RISKCTL_KAFKA_CREDENTIALS_INVALID', exitCode: 2 })
    expect(missing.text).toContain('console')
    expect(missing.text).not.toContain(SECRET)
  })
})
