import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs'
import type { KafkaConnection } from '../../config/kafka-connection.js'

export interface KafkaClientOptions {
  readonly brokers: readonly string[]
  readonly connection: KafkaConnection
  /** Route kafkajs's own log to stderr (--debug / RISKCTL_DEBUG); otherwise it stays silent. */
  readonly debug?: boolean
}

/**
 * Retries are short on purpose: a command run against a broker that is down must say so within
 * seconds (the port promises RISKCTL_BROKER_UNREACHABLE, not a hang). About five seconds of
 * backoff still rides out a coordinator that is loading or a leader election on one node.
 */
export const RETRY = { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 } as const
/**
 * For the sends of a transactional producer. A transaction that begins right after the previous
 * one committed is refused with CONCURRENT_TRANSACTIONS until the broker has written the commit
 * markers, a few milliseconds later; kafkajs retries that like any other error, and at RETRY's
 * 100 ms a pipeline of back-to-back transactions would wait a tenth of a second per write (Java's
 * producer retries it after 20 ms for the same reason). Starting at 10 ms and doubling, three more
 * tries keep about the same five seconds of backoff for a broker that is really away.
 */
export const TRANSACTION_SEND_RETRY = { initialRetryTime: 10, maxRetryTime: 1000, retries: 11 } as const
export const CONNECTION_TIMEOUT_MS = 3000

export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: 'riskctl',
    brokers: [...options.brokers],
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: 30_000,
    retry: RETRY,
    logLevel: options.debug ? logLevel.INFO : logLevel.NOTHING,
    logCreator: () => writeToStderr,
  }
  if (options.connection.ssl) config.ssl = true
  const sasl = saslOptions(options.connection)
  if (sasl) config.sasl = sasl
  return new Kafka(config)
}

export function saslOptions(connection: KafkaConnection): SASLOptions | undefined {
  const sasl = connection.sasl
  if (sasl === undefined) return undefined
  if (sasl.mechanism === 'aws-iam') {
    const region = sasl.region
    // AWS's own signer turns the default credential chain into MSK's OAUTHBEARER token. Loaded only here: it
    // brings the AWS SDK's credential providers, a twentieth of a second that every other connection would pay.
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js')
        return { value: (await generateAuthToken({ region })).token }
      },
    }
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password }
}

const SECRET_FIELD = /pass|secret|token|sasl|credential/i

/** kafkajs logs objects; anything that could hold a credential is blanked before it is printed. */
function writeToStderr(entry: LogEntry): void {
  const { message, ...extra } = entry.log
  const fields = JSON.stringify(extra, (key, value: unknown) =>
    SECRET_FIELD.test(key) ? '[redacted]' : value,
  )
  process.stderr.write(`[kafkajs ${entry.label} ${entry.namespace}] ${message} ${fields}\n`)
}
