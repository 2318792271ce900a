import { describe, expect, it } from 'vitest'
import { describeKafkaConnection, kafkaConnectionFromEnv } from '../../src/config/kafka-connection.js'
import { isRiskctlError } from '../../src/errors.js'
import { saslOptions } from '../../src/log/kafka/kafka-client.js'

const SECRET = 'hunter2-do-not-print'

function failure(work: () => unknown): { code: string; message: string; suggestions: readonly string[] } {
  try {
    work()
  } catch (error) {
    if (isRiskctlError(error))
      return { code: error.code, message: error.message, suggestions: error.suggestions }
    throw error
  }
  throw new Error('expected a RiskctlError')
}

describe('kafka connection settings from the environment', () => {
  it('is plaintext without SASL by default, and TLS with RISKCTL_KAFKA_SSL=1', () => {
    expect(kafkaConnectionFromEnv({})).toEqual({ ssl: false })
    expect(kafkaConnectionFromEnv({ RISKCTL_KAFKA_SSL: '1' })).toEqual({ ssl: true })
    expect(kafkaConnectionFromEnv({ RISKCTL_KAFKA_SSL: 'no' })).toEqual({ ssl: false })
  })

  it('reads PLAIN and SCRAM-SHA-512 credentials', () => {
    const env = { RISKCTL_KAFKA_SASL_USERNAME: 'riskctl', RISKCTL_KAFKA_SASL_PASSWORD: SECRET }
    expect(kafkaConnectionFromEnv({ ...env, RISKCTL_KAFKA_SASL_MECHANISM: 'PLAIN' })).toEqual({
      ssl: false,
      sasl: { mechanism: 'plain', username: 'riskctl', password: SECRET },
    })
    const scram = kafkaConnectionFromEnv({
      ...env,
      RISKCTL_KAFKA_SSL: 'true',
      RISKCTL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    })
    expect(scram.sasl).toMatchObject({ mechanism: 'scram-sha-512' })
    expect(describeKafkaConnection(scram)).toBe('TLS, SASL/SCRAM-SHA-512')
    expect(describeKafkaConnection(scram)).not.toContain(SECRET)
  })

  it('names what is missing or unsupported, and never the password', () => {
    const missing = failure(() =>
      kafkaConnectionFromEnv({ RISKCTL_KAFKA_SASL_MECHANISM: 'plain', RISKCTL_KAFKA_SASL_PASSWORD: SECRET }),
    )
    expect(missing.code).toBe('RISKCTL_KAFKA_AUTH_INVALID')
    expect(missing.message).toContain('RISKCTL_KAFKA_SASL_USERNAME')
    expect(JSON.stringify(missing)).not.toContain(SECRET)
    const unknown = failure(() => kafkaConnectionFromEnv({ RISKCTL_KAFKA_SASL_MECHANISM: 'gssapi' }))
    expect(unknown.message).toContain('gssapi')
    expect(unknown.suggestions.join(' ')).toContain('scram-sha-512')
  })

  it('signs MSK IAM auth for the configured region, over TLS, with the AWS credential chain', async () => {
    const noRegion = failure(() => kafkaConnectionFromEnv({ RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam' }))
    expect(noRegion.code).toBe('RISKCTL_KAFKA_AUTH_INVALID')
    expect(noRegion.message).toContain('region')
    const connection = kafkaConnectionFromEnv({ RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam', AWS_REGION: 'us-east-1' })
    expect(connection).toEqual({ ssl: true, sasl: { mechanism: 'aws-iam', region: 'us-east-1' } })
    const sasl = saslOptions(connection)
    expect(sasl?.mechanism).toBe('oauthbearer')
    // Signing is local (a presigned URL): fake credentials give a token without any network call.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
    const provider = (sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider
    const token = await provider()
    expect(token.value).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(Buffer.from(token.value, 'base64url').toString()).toContain('kafka-cluster%3AConnect')
  })
})
