import { badInput } from '../errors.js'
import { prefixedIdentity, USER_NAME_FORM, type IdentityPrefix } from '../domain/operator-identity.js'
import { kafkaConnectionFromEnv } from './kafka-connection.js'
import { osUserName } from './os-user.js'
import type { RiskctlConfig } from './resolve-config.js'

/**
 * Who a command written straight to the log (no console) is recorded as: the identity the backend itself
 * authenticated, never a name typed on the command line. On the embedded log, the OS user that owns the data
 * directory's files (`local:`); on Kafka with SASL, the user the broker authenticated (`sasl:`); on a broker that
 * authenticates nobody (or MSK IAM, whose principal riskctl does not look up), the OS user, marked `unverified:`.
 */
export function directIdentity(config: Pick<RiskctlConfig, 'backend' | 'env'>): string {
  if (config.backend.type !== 'kafka') return identity('local', osUserName(), 'the OS user')
  const sasl = kafkaConnectionFromEnv(config.env).sasl
  if (sasl !== undefined && sasl.mechanism !== 'aws-iam') return identity('sasl', sasl.username, 'RISKCTL_KAFKA_SASL_USERNAME')
  return identity('unverified', osUserName(), 'the OS user')
}

function identity(prefix: IdentityPrefix, name: string, source: string): string {
  const recorded = prefixedIdentity(prefix, name)
  if (recorded !== undefined) return recorded
  throw badInput('RISKCTL_OPERATOR_INVALID', `${source} ${JSON.stringify(name)} cannot stand in the audit trail as an operator.`, [
    `An operator's name has ${USER_NAME_FORM}.`,
  ])
}
