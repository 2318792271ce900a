import { describe, expect, it } from 'vitest'
import { translateKafkaError } from '../../../src/log/kafka/kafka-errors.js'

const brokers = ['127.0.0.1:9092']

/** kafkajs's errors as they arrive: a protocol error wrapped in its retrier's. */
const wrapped = (type: string, message: string) => ({ name: 'KafkaJSNumberOfRetriesExceeded', message, cause: { name: 'KafkaJSProtocolError', type, message } })

describe('a broker that authenticates and authorises', () => {
  it('refusing by its ACLs is exit 4, not retried, naming the user and what it was refused', () => {
    const refused = translateKafkaError(wrapped('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics: [Topic authorization failed]'), {
      brokers,
      user: 'detector',
      access: { verb: 'write to', topics: ['killswitch.state.v1'] },
    })
    expect(refused).toMatchObject({ code: 'RISKCTL_NOT_AUTHORISED', exitCode: 4, retriable: false })
    expect(refused.message).toBe(
      'The Kafka cluster at 127.0.0.1:9092 does not let detector write to killswitch.state.v1: Not authorized to access topics: [Topic authorization failed]',
    )
    for (const type of ['GROUP_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']) {
      expect(translateKafkaError(wrapped(type, 'refused'), { brokers }), type).toMatchObject({ code: 'RISKCTL_NOT_AUTHORISED', exitCode: 4 })
    }
  })

  it('rejecting the credentials is exit 4, saying whose', () => {
    const rejected = translateKafkaError(
      { name: 'KafkaJSSASLAuthenticationError', message: 'SASL SCRAM SHA512 authentication failed: invalid credentials' },
      { brokers, user: 'alice' },
    )
    expect(rejected).toMatchObject({ code: 'RISKCTL_KAFKA_AUTH_FAILED', exitCode: 4 })
    expect(rejected.message).toContain('rejected the SASL credentials of alice')
  })

  it('hiding a topic from a user says that it may be the ACLs, not only a missing topic', () => {
    const hidden = translateKafkaError({ type: 'UNKNOWN_TOPIC_OR_PARTITION' }, { brokers, user: 'carol', topic: 'orders.v1' })
    expect(hidden).toMatchObject({ code: 'RISKCTL_TOPIC_NOT_FOUND', exitCode: 5 })
    expect(hidden.suggestions.join(' ')).toContain('hide it from carol')
  })
})
