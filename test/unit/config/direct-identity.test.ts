import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { directIdentity } from '../../../src/config/direct-identity.js'
import { OPERATOR_IDENTITY } from '../../../src/domain/operator-identity.js'

const embedded = { type: 'embedded', dataDir: '/tmp/x' } as const
const kafka = { type: 'kafka', brokers: ['127.0.0.1:9092'], dataDir: '/tmp/x' } as const
const me = os.userInfo().username

describe('the identity of a command written straight to the log', () => {
  it('is the OS user on the embedded log, the SASL user on an authenticating broker, and marked unverified otherwise', () => {
    expect(directIdentity({ backend: embedded, env: {} })).toBe(`local:${me}`)
    // A name in the environment never stands in for the identity on the embedded log.
    expect(directIdentity({ backend: embedded, env: { RISKCTL_KAFKA_SASL_USERNAME: 'alice', USER: 'mallory' } })).toBe(`local:${me}`)
    const sasl = { RISKCTL_KAFKA_SASL_MECHANISM: 'scram-sha-512', RISKCTL_KAFKA_SASL_USERNAME: 'alice', RISKCTL_KAFKA_SASL_PASSWORD: 'pw' }
    expect(directIdentity({ backend: kafka, env: sasl })).toBe('sasl:alice')
    expect(directIdentity({ backend: kafka, env: { ...sasl, RISKCTL_KAFKA_SASL_MECHANISM: 'plain' } })).toBe('sasl:alice')
    expect(directIdentity({ backend: kafka, env: {} })).toBe(`unverified:${me}`)
    expect(directIdentity({ backend: kafka, env: { RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam', AWS_REGION: 'us-east-1' } })).toBe(`unverified:${me}`)
  })

  it('refuses a SASL user name the trail cannot hold as it is', () => {
    for (const username of ['ali ce', 'alice\u200b', 'a:b', '-x']) {
      const env = { RISKCTL_KAFKA_SASL_MECHANISM: 'plain', RISKCTL_KAFKA_SASL_USERNAME: username, RISKCTL_KAFKA_SASL_PASSWORD: 'pw' }
      expect(() => directIdentity({ backend: kafka, env }), username).toThrow(expect.objectContaining({ code: 'RISKCTL_OPERATOR_INVALID', exitCode: 2 }))
    }
  })

  it('takes a prefixed identity only with a known prefix and a well-formed name', () => {
    for (const good of ['alice', 'local:alice', 'sasl:alice.smith', 'unverified:uid-0']) expect(OPERATOR_IDENTITY.test(good), good).toBe(true)
    for (const bad of ['root:alice', 'local:', 'local:local:alice', ':alice', 'LOCAL:alice', 'local: alice', 'sasl:-x']) {
      expect(OPERATOR_IDENTITY.test(bad), bad).toBe(false)
    }
  })
})
