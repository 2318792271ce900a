import { kafkaConnectionFromEnv } from '../config/kafka-connection.js'
import { openKafkaLog } from '../log/kafka/kafka-log.js'
import type { EventLog } from '../log/port.js'
import { processEnvironment, type Environment } from '../config/environment.js'

let shared: Promise<EventLog> | undefined

/**
 * One Kafka connection per Lambda container, reused by every warm invocation. The stack sets
 * RISKCTL_BROKERS, RISKCTL_KAFKA_SSL=1 and RISKCTL_KAFKA_SASL_MECHANISM=aws-iam: the same settings
 * a laptop uses against MSK.
 */
export function sharedLog(
  env: Environment = processEnvironment(),
): Promise<EventLog> {
  shared ??= open(env)
  return shared
}

async function open(env: Readonly<Record<string, string | undefined>>): Promise<EventLog> {
  const brokers = (env.RISKCTL_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '')
  if (brokers.length === 0) throw new Error('RISKCTL_BROKERS is not set on this function')
  try {
    // The Kafka adapter itself, not openEventLog: the bundle must not pull in the embedded log's native SQLite.
    return await openKafkaLog({ brokers, connection: kafkaConnectionFromEnv(env), debug: false })
  } catch (error) {
    // A failed connection must not be cached: the next invocation tries again.
    shared = undefined
    throw error
  }
}
