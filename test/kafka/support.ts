import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import type { EventLog } from '../../src/log/port.js'

/** The broker scripts/kafka/test-kafka.sh started, or another one named by RISKCTL_TEST_BROKERS. */
export const BROKERS = (process.env.RISKCTL_TEST_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((broker) => broker.trim())
  .filter((broker) => broker !== '')

export function openTestLog(): Promise<EventLog> {
  return openKafkaLog({ brokers: BROKERS, connection: { ssl: false } })
}
