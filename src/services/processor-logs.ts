import { environmentAs, processorUser, type KafkaCredentials } from '../config/kafka-credentials.js'
import type { RiskctlConfig } from '../config/resolve-config.js'
import type { EventLog } from '../log/port.js'
import type { ProcessorPrincipal } from '../../topologies/kafka-grants.js'
import { openEventLog } from './open-log.js'

type Environment = Readonly<Record<string, string | undefined>>

/**
 * The connections `riskctl up` runs its processors on. Without a credentials file, one log for all of them, the
 * command's own, as it always was; with one, each processor its own log as its own user, so that the broker's ACLs,
 * not only riskctl's types, keep the console from writing the state and the router from writing commands.
 */
export interface ProcessorLogs {
  /** The log this processor uses in this process; opened on first use, then shared by its callers. */
  logOf(principal: ProcessorPrincipal): Promise<EventLog>
  /** The environment a processor's own process gets (over IPC, never argv): its own user only. */
  envOf(principal: ProcessorPrincipal): Environment
  /** Closes the logs opened here; the shared one is its command's to close. */
  close(): Promise<void>
}

export function sharedProcessorLogs(open: () => Promise<EventLog>, env: Environment): ProcessorLogs {
  return { logOf: open, envOf: () => env, close: async () => undefined }
}

export function separateProcessorLogs(
  credentials: KafkaCredentials,
  config: Pick<RiskctlConfig, 'backend' | 'env' | 'debug'>,
): ProcessorLogs {
  const opened = new Map<ProcessorPrincipal, Promise<EventLog>>()
  const envOf = (principal: ProcessorPrincipal) => environmentAs(config.env, credentials, principal)
  return {
    envOf,
    logOf: (principal) => {
      const existing = opened.get(principal)
      if (existing !== undefined) return existing
      const opening = openEventLog({ ...config, env: envOf(principal) })
      opened.set(principal, opening)
      return opening
    },
    close: async () => {
      const logs = await Promise.allSettled(opened.values())
      opened.clear()
      await Promise.all(logs.flatMap((log) => (log.status === 'fulfilled' ? [log.value.close()] : [])))
    },
  }
}

/** Every user this run needs is in the file, checked before anything starts. */
export function requireProcessorUsers(
  credentials: KafkaCredentials,
  principals: readonly ProcessorPrincipal[],
): void {
  for (const principal of principals) processorUser(credentials, principal)
}
