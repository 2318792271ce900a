import type { LimitsTopology } from '../../src/config/limits-topology.js'
import { loadLimitsTopology } from '../../src/config/limits-topology.js'

/** The router with no pre-trade limit but the kill switch: for tests of kills, throttles and duplicates alone. */
export const KILL_SWITCH_ONLY: LimitsTopology = {
  tradingDay: { timeZone: 'UTC', startHour: 0 },
  referencePriceMaxAgeMs: 300_000,
  duplicativeWindowMs: 0,
  defaults: { allow_without_reference: true },
}

/** The firm's limits as topologies/limits.json ships them. */
export const SHIPPED_LIMITS: LimitsTopology = loadLimitsTopology()
