import { LogError, isLogError } from '../errors.js'

export interface ErrorContext {
  /** The bootstrap addresses, so that "unreachable" says where riskctl looked. */
  readonly brokers: readonly string[]
  /** The topic the failed call was about, if one. */
  readonly topic?: string
}

interface KafkaErrorShape {
  readonly name?: unknown
  readonly type?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly cause?: unknown
  readonly originalError?: unknown
  readonly errors?: unknown
  readonly retriable?: unknown
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
])
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
])
const RECORD_ERRORS = new Set([
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
])
const RETRIABLE_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound', 'KafkaJSLockTimeout'])
const FENCED_ERRORS = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_NOT_FOUND'])
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'])

/**
 * kafkajs wraps the error that matters (a protocol error, a refused socket) in retry and aggregate
 * errors; every link of the chain is looked at, so the translation does not depend on how deep it is.
 */
function chain(error: unknown): KafkaErrorShape[] {
  const seen: KafkaErrorShape[] = []
  const pending: unknown[] = [error]
  while (pending.length > 0 && seen.length < 20) {
    const next = pending.shift()
    if (typeof next !== 'object' || next === null || seen.includes(next)) continue
    const shape = next as KafkaErrorShape
    seen.push(shape)
    pending.push(shape.cause, shape.originalError)
    if (Array.isArray(shape.errors)) pending.push(...(shape.errors as unknown[]))
  }
  return seen
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The one place a kafkajs error becomes the port's LogError. */
export function translateKafkaError(error: unknown, context: ErrorContext): LogError {
  if (isLogError(error)) return error
  const links = chain(error)
  const types = new Set(links.map((link) => text(link.type)))
  const names = new Set(links.map((link) => text(link.name)))
  const codes = new Set(links.map((link) => text(link.code)))
  const detail =
    text(links.find((link) => text(link.type) !== '')?.message) || text(links[0]?.message) || String(error)
  const where = context.brokers.join(',')
  const options = { cause: error }

  if (types.has('UNKNOWN_TOPIC_OR_PARTITION')) {
    const what = context.topic === undefined ? 'The topic' : `Topic "${context.topic}"`
    return new LogError(
      'RISKCTL_TOPIC_NOT_FOUND',
      `${what} does not exist on the Kafka cluster at ${where}.`,
      {
        ...options,
        suggestions: ['Create the riskctl topics first: riskctl topics create'],
      },
    )
  }
  if ([...RECORD_ERRORS].some((type) => types.has(type))) {
    return new LogError('RISKCTL_RECORD_INVALID', `The broker rejected a record: ${detail}`, options)
  }
  if ([...FENCED_ERRORS].some((type) => types.has(type))) {
    return new LogError(
      'RISKCTL_GROUP_BUSY',
      `Another process took over this transactional writer (its producer fenced this one): ${detail}`,
      {
        ...options,
        // After a rebalance the new owner of a partition set fences the old one: the old one's
        // processor starts over from the group's commit rather than dying.
        retriable: true,
        suggestions: ['Stop the older instance; only the newest one may write for its group.'],
      },
    )
  }
  if ([...REBALANCE_ERRORS].some((type) => types.has(type))) {
    return new LogError(
      'RISKCTL_LOG_FAILURE',
      `The consumer group is rebalancing, so the positions were not committed; records since the last commit will be read again: ${detail}`,
      { ...options, retriable: true },
    )
  }
  if (names.has('KafkaJSSASLAuthenticationError')) {
    return new LogError(
      'RISKCTL_LOG_FAILURE',
      `The Kafka cluster at ${where} rejected the SASL credentials: ${detail}`,
      {
        ...options,
        suggestions: [
          'Check RISKCTL_KAFKA_SASL_MECHANISM, RISKCTL_KAFKA_SASL_USERNAME and RISKCTL_KAFKA_SASL_PASSWORD.',
        ],
      },
    )
  }
  if (
    [...CONNECTION_ERRORS].some((name) => names.has(name)) ||
    [...SOCKET_CODES].some((code) => codes.has(code))
  ) {
    return unreachable(context.brokers, detail, error)
  }
  // What a broker coming back may fix: protocol errors kafkajs marks retriable (coordinator
  // loading, leader not yet elected), and a coordinator not found while the broker was away.
  const retriable =
    links.some((link) => text(link.type) !== '' && link.retriable === true) ||
    [...RETRIABLE_NAMES].some((name) => names.has(name))
  return new LogError('RISKCTL_LOG_FAILURE', `Kafka request failed: ${detail}`, { ...options, retriable })
}

export function unreachable(brokers: readonly string[], detail: string, cause?: unknown): LogError {
  return new LogError(
    'RISKCTL_BROKER_UNREACHABLE',
    `Cannot reach the Kafka broker(s) at ${brokers.join(',')}: ${detail}`,
    {
      cause,
      retriable: true,
      suggestions: [
        'Check that the brokers are running and that --brokers (or RISKCTL_BROKERS) names them.',
        'For a local broker: scripts/kafka/kafka.sh start',
      ],
    },
  )
}
