import { AGGREGATOR_GROUP, DETECTOR_GROUP, ROUTER_GROUP } from './groups.js'
import {
  APPROVALS,
  AUDIT,
  DEAD_LETTERS,
  KILL_COMMANDS,
  KILL_STATE,
  OPERATOR_ACTIONS,
  ORDERS,
  ORDERS_GATED,
  REFERENCE_PRICES,
  RISK_LIMITS,
  RISK_SIGNALS,
} from './topics.js'

/**
 * Who may do what on a Kafka broker with ACLs (`KAFKA_SECURE=1 npm run kafka:start`, ADR 0016): one SASL user per
 * processor, per order source and per person, each granted what its code does and nothing more. The broker's
 * authorizer denies everything else, so a processor that tried to write where it has no business is refused by the
 * broker, not only by riskctl's types (log-access.ts).
 */
export interface KafkaGrant {
  /** Topics it reads (READ). */
  readonly read: readonly string[]
  /** Topics it appends to (WRITE). */
  readonly write: readonly string[]
  /**
   * The consumer group it consumes in or commits to, and whose transactional ids (transactionalIdPrefix) it writes
   * its outputs with. Every reader also has the groups of its own throwaway readers (readerGroupPrefix of its user).
   */
  readonly group?: string
}

/** The processors `riskctl up` runs, each with a user of its own (RISKCTL_KAFKA_CREDENTIALS). */
export const PROCESSOR_PRINCIPALS = ['router', 'detector', 'aggregator', 'audit-indexer', 'console'] as const
export type ProcessorPrincipal = (typeof PROCESSOR_PRINCIPALS)[number]

/** What a person is on the direct path: the broker cannot tell an operator from a supervisor (a command's content). */
export const OPERATOR_ROLES = ['operator', 'viewer'] as const
export type OperatorRole = (typeof OPERATOR_ROLES)[number]

/** What the state side and the operators read to follow a command to its answer. */
const ANSWERS = [KILL_STATE, AUDIT, APPROVALS, RISK_LIMITS]

export const PROCESSOR_GRANTS: { readonly [P in ProcessorPrincipal]: KafkaGrant } = {
  // The data side: reads the state, never writes it. orders.gated.v1 and audit.v1 are read back at start
  // (the day's credit, the order_ids already decided); risk_signals.v1 carries its credit warnings.
  router: {
    read: [ORDERS, KILL_STATE, RISK_LIMITS, REFERENCE_PRICES, ORDERS_GATED, AUDIT],
    write: [ORDERS_GATED, AUDIT, DEAD_LETTERS, RISK_SIGNALS],
    group: ROUTER_GROUP,
  },
  // Asks for KILLs and publishes its window metrics, nothing else: not even dead letters (it counts what it skips).
  detector: {
    read: [ORDERS, KILL_STATE],
    write: [KILL_COMMANDS, RISK_SIGNALS],
    group: DETECTOR_GROUP,
  },
  // The single writer of the state, the limits and the approvals; killswitch.commands.v1 for its REVERT_LIMITS;
  // operator_actions.v1 read for the entry that vouches for a command that loosens.
  aggregator: {
    read: [KILL_COMMANDS, KILL_STATE, RISK_LIMITS, APPROVALS, OPERATOR_ACTIONS],
    write: [KILL_STATE, RISK_LIMITS, APPROVALS, KILL_COMMANDS, AUDIT, DEAD_LETTERS],
    group: AGGREGATOR_GROUP,
  },
  'audit-indexer': { read: [AUDIT], write: [] },
  // Publishes operators' commands with their trail entries, and follows each to its answer.
  console: { read: ANSWERS, write: [KILL_COMMANDS, OPERATOR_ACTIONS] },
}

export const OPERATOR_GRANTS: { readonly [R in OperatorRole]: KafkaGrant } = {
  // riskctl kill|unkill|throttle|limits set|approve|reject on the direct path, and state, approvals, audit --actions.
  operator: { read: [...ANSWERS, OPERATOR_ACTIONS], write: [KILL_COMMANDS, OPERATOR_ACTIONS] },
  viewer: { read: [...ANSWERS, OPERATOR_ACTIONS], write: [] },
}

/** An order source (riskctl generate, a gateway): orders and the reference prices the collar needs. */
export const GENERATOR_GRANT: KafkaGrant = { read: [], write: [ORDERS, REFERENCE_PRICES] }

/**
 * The users `KAFKA_SECURE=1 npm run kafka:start` creates, by what each is for; the processors' keys are the names
 * RISKCTL_KAFKA_CREDENTIALS files them under. `admin` (a super user) is the broker's own and creates the topics.
 */
export const SECURE_USERS = {
  admin: 'admin',
  processors: { router: 'router', detector: 'detector', aggregator: 'aggregator', 'audit-indexer': 'indexer', console: 'console' },
  generator: 'generator',
  operators: { alice: 'operator', bob: 'operator', carol: 'viewer' },
} as const satisfies {
  readonly admin: string
  readonly processors: { readonly [P in ProcessorPrincipal]: string }
  readonly generator: string
  readonly operators: Readonly<Record<string, OperatorRole>>
}
