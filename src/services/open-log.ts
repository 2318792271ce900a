import { kafkaConnectionFromEnv } from '../config/kafka-connection.js'
import type { RiskctlConfig } from '../config/resolve-config.js'
import type { EventLog } from '../log/port.js'

export interface OpenLogOptions {
  /** For a process that decides while it writes (a router): the embedded log appends on a thread of its own. */
  readonly writerThread?: boolean
}

/** The one place that picks an adapter for the configured backend. */
export async function openEventLog(
  config: Pick<RiskctlConfig, 'backend' | 'env' | 'debug'>,
  options: OpenLogOptions = {},
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
  return openEmbeddedLog({ dataDir: backend.dataDir, writerThread: options.writerThread === true })
}
