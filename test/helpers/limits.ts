import { fileURLToPath } from 'node:url'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import { loadLimitsTopology } from '../../src/config/limits-topology.js'

/** The router with no pre-trade limit but the kill switch: for tests of kills, throttles and duplicates alone. */
export const KILL_SWITCH_ONLY_FILE = fileURLToPath(new URL('../fixtures/kill-switch-only.limits.json', import.meta.url))
export const KILL_SWITCH_ONLY: LimitsTopology = loadLimitsTopology(KILL_SWITCH_ONLY_FILE)
/** What `riskctl up` takes to run such a router. */
export const KILL_SWITCH_ONLY_ARGS = ['--limits', KILL_SWITCH_ONLY_FILE] as const

/** The firm's limits as topologies/limits.json ships them. */
export const SHIPPED_LIMITS: LimitsTopology = loadLimitsTopology()
