import { kafkaConnectionFromEnv } from '../config/kafka-connection.js'
import type { RiskctlConfig } from '../config/resolve-config.js'
import type { EventLog } from '../log/port.js'

/** The one place that picks an adapter for the configured backend. */
export async function openEventLog(
  config: Pick<RiskctlConfig, 'backend' | 'env' | 'debug'>,
): Promise<EventLog> {
  const backend = config.backend
  if (backend.type === 'kafka') {
    // Loaded only when asked for: every command on the embedded log starts without kafkajs.
    const { openKafkaLog } = await import('../log/kafka/kafka-log.js')
    // TLS and SASL come from the environment, like the brokers themselves.
    return openKafkaLog({
      brokers: backend.brokers,
      connection: kafkaConnectionFromEnv(config.env),
      debug: config.debug,
    })
  }
  // Likewise: a command on Kafka loads neither SQLite nor the embedded log.
  const { openEmbeddedLog } = await import('../log/embedded/embedded-log.js')
  return openEmbeddedLog({ dataDir: backend.dataDir })
}
