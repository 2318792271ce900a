import { kafkaCredentialsFromEnv, CREDENTIALS_VARIABLE } from '../config/kafka-credentials.js'
import type { BackendConfig } from '../config/resolve-config.js'
import { badInput, ExitCode, isRiskctlError, RiskctlError } from '../errors.js'
import type { EventLog } from '../log/port.js'
import type { ProcessorPrincipal } from '../../topologies/kafka-grants.js'
import { TOPIC_NAMES } from '../../topologies/topics.js'
import type { Component } from './pipeline.js'
import {
  requireProcessorUsers,
  separateProcessorLogs,
  sharedProcessorLogs,
  type ProcessorLogs,
} from './processor-logs.js'
import { createAllTopics } from './topics-create.js'

export interface UpConnectionsOptions {
  readonly components: readonly Component[]
  readonly sparkDetector: boolean
  readonly openLog: () => Promise<EventLog>
  readonly backend: BackendConfig
  readonly env: Readonly<Record<string, string | undefined>>
  readonly debug?: boolean | undefined
}

export interface UpConnections {
  readonly logs: ProcessorLogs
  /** Creates whatever riskctl topic is missing, through the log of up's first processor, and returns that log. */
  ensureTopics(): Promise<EventLog>
}

/** Which user each component connects as: the router brings the audit indexer along. */
const PRINCIPALS: Readonly<Record<Component, readonly ProcessorPrincipal[]>> = {
  aggregator: ['aggregator'],
  console: ['console'],
  router: ['router', 'audit-indexer'],
  detector: ['detector'],
}

/**
 * `up`'s connections: one shared log, or with RISKCTL_KAFKA_CREDENTIALS one per processor, each as its own user. The
 * file is read and every user this run needs checked before anything connects.
 */
export function upConnections(options: UpConnectionsOptions): UpConnections {
  const credentials = kafkaCredentialsFromEnv(options.env)
  const principals = options.components.flatMap((component) => PRINCIPALS[component])
  if (credentials !== undefined) {
    if (options.backend.type !== 'kafka') {
      throw badInput(
        'RISKCTL_KAFKA_CREDENTIALS_INVALID',
        `${CREDENTIALS_VARIABLE} is set, but riskctl up runs on the embedded log, which has no users.`,
        ['Name the brokers (--brokers or RISKCTL_BROKERS), or unset RISKCTL_KAFKA_CREDENTIALS.'],
      )
    }
    if (options.sparkDetector) {
      throw badInput(
        'RISKCTL_KAFKA_CREDENTIALS_INVALID',
        'The local Spark job does not sign in to Kafka with SASL, so it cannot run with per-processor credentials.',
        [
          'Run the in-process detector (--detector inprocess), or leave RISKCTL_KAFKA_CREDENTIALS unset on a broker without ACLs.',
        ],
      )
    }
    requireProcessorUsers(credentials, principals)
  }
  const logs =
    credentials === undefined
      ? sharedProcessorLogs(options.openLog, options.env)
      : separateProcessorLogs(credentials, {
          backend: options.backend,
          env: options.env,
          debug: options.debug ?? false,
        })
  // Without a credentials file every principal is the one shared log; with one, the first processor of this run.
  const first = principals[0] ?? 'aggregator'
  return {
    logs,
    ensureTopics: async () => {
      const log = await logs.logOf(first)
      await ensureTopics(log)
      return log
    },
  }
}

/**
 * Lists before it creates, so that a user without the right to create topics (every processor on a broker with ACLs)
 * starts where they all exist, and is told what is missing where one does not.
 */
async function ensureTopics(log: EventLog): Promise<void> {
  const present = new Set(await log.listTopics())
  const missing = TOPIC_NAMES.filter((name) => !present.has(name))
  if (missing.length === 0) return
  try {
    await createAllTopics(log)
  } catch (error) {
    if (!isRiskctlError(error) || error.code !== 'RISKCTL_NOT_AUTHORISED') throw error
    throw new RiskctlError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing, and riskctl up's user may not create topics: ${error.message}`,
      {
        code: 'RISKCTL_TOPICS_MISSING',
        exitCode: ExitCode.precondition,
        cause: error,
        suggestions: [
          "Create them as the cluster's admin: riskctl topics create, with the admin's RISKCTL_KAFKA_SASL_USERNAME and _PASSWORD (KAFKA_SECURE=1 npm run kafka:start creates them).",
        ],
      },
    )
  }
}
