import { badInput } from '../errors.js'
import type { RiskctlConfig } from './resolve-config.js'

/**
 * How riskctl authenticates to Kafka, read from the environment like every other setting. It is
 * kept free of kafkajs types so that only src/log/kafka knows the client library.
 */
export type KafkaSasl =
  | { readonly mechanism: 'plain' | 'scram-sha-512'; readonly username: string; readonly password: string }
  /** Amazon MSK's IAM auth: the credentials come from the AWS SDK's default chain, not from here. */
  | { readonly mechanism: 'aws-iam'; readonly region: string }

export interface KafkaConnection {
  /** TLS with the platform's trusted CAs (MSK's certificates are publicly trusted). */
  readonly ssl: boolean
  readonly sasl?: KafkaSasl
}

const MECHANISMS = ['plain', 'scram-sha-512', 'aws-iam'] as const

/**
 * RISKCTL_KAFKA_SSL=1, RISKCTL_KAFKA_SASL_MECHANISM=plain|scram-sha-512|aws-iam and, for the first
 * two, RISKCTL_KAFKA_SASL_USERNAME and RISKCTL_KAFKA_SASL_PASSWORD. No message ever contains the
 * password, so a failure can be printed or logged as it is.
 */
export function kafkaConnectionFromEnv(env: RiskctlConfig['env']): KafkaConnection {
  const ssl = isTruthy(env.RISKCTL_KAFKA_SSL)
  const mechanismText = nonEmpty(env.RISKCTL_KAFKA_SASL_MECHANISM)?.trim().toLowerCase()
  if (mechanismText === undefined) return { ssl }
  const mechanism = MECHANISMS.find((known) => known === mechanismText)
  if (mechanism === undefined) {
    throw badInput(
      'RISKCTL_KAFKA_AUTH_INVALID',
      `RISKCTL_KAFKA_SASL_MECHANISM is "${mechanismText}", which riskctl does not support.`,
      [`Use one of: ${MECHANISMS.join(', ')}.`],
    )
  }
  if (mechanism === 'aws-iam') {
    const region = nonEmpty(env.RISKCTL_AWS_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION)?.trim()
    if (region === undefined) {
      throw badInput('RISKCTL_KAFKA_AUTH_INVALID', 'MSK IAM auth signs for one AWS region, and none is set.', [
        'Set RISKCTL_AWS_REGION (or AWS_REGION), e.g. us-east-1.',
      ])
    }
    // MSK accepts IAM auth only over TLS.
    return { ssl: true, sasl: { mechanism, region } }
  }
  const username = nonEmpty(env.RISKCTL_KAFKA_SASL_USERNAME)?.trim()
  const password = nonEmpty(env.RISKCTL_KAFKA_SASL_PASSWORD)
  const missing = [
    ...(username === undefined ? ['RISKCTL_KAFKA_SASL_USERNAME'] : []),
    ...(password === undefined ? ['RISKCTL_KAFKA_SASL_PASSWORD'] : []),
  ]
  if (username === undefined || password === undefined) {
    throw badInput(
      'RISKCTL_KAFKA_AUTH_INVALID',
      `SASL/${mechanism.toUpperCase()} needs ${missing.join(' and ')}.`,
      [`Set ${missing.join(' and ')} in the environment.`],
    )
  }
  return { ssl, sasl: { mechanism, username, password } }
}

/** For status lines: what kind of connection this is, never who or with which secret. */
export function describeKafkaConnection(connection: KafkaConnection): string {
  const parts = [connection.ssl ? 'TLS' : 'plaintext']
  if (connection.sasl) parts.push(`SASL/${connection.sasl.mechanism.toUpperCase()}`)
  return parts.join(', ')
}

/** Blank means unset; a non-blank value is kept as given, since a password may start with a space. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
}
