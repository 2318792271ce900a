import type { RiskctlConfig } from '../config/resolve-config.js'
import { openEmbeddedLog } from './embedded/embedded-log.js'
import type { EventLog } from './port.js'

/** The one place that picks an adapter for the configured backend. */
export async function openEventLog(config: Pick<RiskctlConfig, 'backend'>): Promise<EventLog> {
  return openEmbeddedLog({ dataDir: config.backend.dataDir })
}
