import { LogError, isLogError } from '../errors.js'

export interface ErrorContext {
  /** The bootstrap addresses, so that "unreachable" says where riskctl looked. */
  readonly brokers: readonly string[]
  /** The topic the failed call was about, if one. */
  readonly topic?: string
  /** The SASL user riskctl connects as, if it names one: a refusal says who was refused (never with what secret). */
  readonly user?: string
  /** What the failed call was doing, for a refusal by the broker's ACLs to say what was refused. */
  readonly access?: { readonly verb: 'read' | 'write to' | 'create'; readonly topics: readonly string[] }
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
/** What a broker's authorizer answers, by what it guards. */
const ACL_ERRORS = new Map([
  ['TOPIC_AUTHORIZATION_FAILED', 'topic'],
  ['GROUP_AUTHORIZATION_FAILED', 'consumer group'],
  ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'transactional id'],
  ['CLUSTER_AUTHORIZATION_FAILED', 'cluster'],
])

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

  // Before anything else: a refusal must never pass for a broker that is away (and be retried) or a missing topic.
  const refusal = [...ACL_ERRORS].find(([type]) => types.has(type))
  if (refusal !== undefined) return notAuthorised(refusal[1], context, detail, error)
  if (types.has('UNKNOWN_TOPIC_OR_PARTITION')) {
    const what = context.topic === undefined ? 'The topic' : `Topic "${context.topic}"`
    return new LogError(
      'RISKCTL_TOPIC_NOT_FOUND',
      `${what} does not exist on the Kafka cluster at ${where}.`,
      {
        ...options,
        suggestions: [
          'Create the riskctl topics first: riskctl topics create',
          // A broker lists only the topics a user may describe.
          ...(context.user === undefined ? [] : [`Or its ACLs hide it from ${context.user}: it needs DESCRIBE on the topic.`]),
        ],
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
    const who = context.user === undefined ? 'the SASL credentials' : `the SASL credentials of ${context.user}`
    return new LogError('RISKCTL_KAFKA_AUTH_FAILED', `The Kafka cluster at ${where} rejected ${who}: ${detail}`, {
      ...options,
      suggestions: [
        'Check RISKCTL_KAFKA_SASL_MECHANISM, RISKCTL_KAFKA_SASL_USERNAME and RISKCTL_KAFKA_SASL_PASSWORD (or the credentials file RISKCTL_KAFKA_CREDENTIALS names).',
      ],
    })
  }
  if (
    [...CONNECTION_ERRORS].some((name) => names.has(name)) ||
    [...SOCKET_CODES].some((code) => codes.has(code))
  ) {
    // A listener that wants SASL closes the connection of a client that does not sign in.
    const signIn = context.user === undefined && names.has('KafkaJSConnectionClosedError')
    return unreachable(context.brokers, detail, error, signIn ? ['If the broker wants SASL: set RISKCTL_KAFKA_SASL_MECHANISM, _USERNAME and _PASSWORD.'] : [])
  }
  if (names.has('KafkaJSGroupCoordinatorNotFound') && context.user !== undefined) {
    // kafkajs drops the broker's answer here, and a refused group or transactional id looks the same as a
    // coordinator that is not up yet: retried like one, but saying both.
    return new LogError(
      'RISKCTL_LOG_FAILURE',
      `Kafka request failed: ${detail} (on a broker with ACLs, also what ${context.user} gets for a consumer group or transactional id it is not granted)`,
      { ...options, retriable: true },
    )
  }
  // What a broker coming back may fix: protocol errors kafkajs marks retriable (coordinator
  // loading, leader not yet elected), and a coordinator not found while the broker was away.
  const retriable =
    links.some((link) => text(link.type) !== '' && link.retriable === true) ||
    [...RETRIABLE_NAMES].some((name) => names.has(name))
  return new LogError('RISKCTL_LOG_FAILURE', `Kafka request failed: ${detail}`, { ...options, retriable })
}

function notAuthorised(guarded: string, context: ErrorContext, detail: string, cause: unknown): LogError {
  const who = context.user ?? 'the user riskctl connects as'
  const access = context.access
  const what = access === undefined ? `do this (its ${guarded} ACLs)` : `${access.verb} ${access.topics.join(', ')}`
  return new LogError(
    'RISKCTL_NOT_AUTHORISED',
    `The Kafka cluster at ${context.brokers.join(',')} does not let ${who} ${what}: ${detail}`,
    {
      cause,
      suggestions: [
        'Connect as a user whose ACLs grant it, or ask the cluster\'s administrator for the grant (README: "A secure broker" lists each user\'s).',
      ],
    },
  )
}

export function unreachable(brokers: readonly string[], detail: string, cause?: unknown, more: readonly string[] = []): LogError {
  return new LogError(
    'RISKCTL_BROKER_UNREACHABLE',
    `Cannot reach the Kafka broker(s) at ${brokers.join(',')}: ${detail}`,
    {
      cause,
      retriable: true,
      suggestions: [
        'Check that the brokers are running and that --brokers (or RISKCTL_BROKERS) names them.',
        'For a local broker: scripts/kafka/kafka.sh start',
        ...more,
      ],
    },
  )
}
