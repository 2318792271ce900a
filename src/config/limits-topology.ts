import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { formatIssues } from '../contracts/format-issues.js'
import { riskLimitsSchema } from '../contracts/risk-limits.js'
import { TradingDay } from '../domain/pretrade/trading-day.js'
import { badInput } from '../errors.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH } from './detector-topology.js'

/** topologies/limits.json: the firm's default limits and the settings of the checks that keep state. */
export const limitsTopologySchema = z.strictObject({
  description: z.string().optional(),
  tradingDay: z.strictObject({
    timeZone: z.string().refine(
      (zone) => {
        try {
          new TradingDay(zone, 0)
          return true
        } catch {
          return false
        }
      },
      { message: 'must be an IANA time zone this runtime knows, such as America/New_York or UTC' },
    ),
    startHour: z.number().int().min(0).max(23),
  }),
  referencePriceMaxAgeMs: z.number().int().positive(),
  duplicativeWindowMs: z.number().int().nonnegative().max(3_600_000),
  defaults: riskLimitsSchema,
})

export type LimitsTopology = z.infer<typeof limitsTopologySchema>

export const DEFAULT_LIMITS_TOPOLOGY_PATH = path.join(path.dirname(DEFAULT_DETECTOR_TOPOLOGY_PATH), 'limits.json')

const CODE = 'RISKCTL_LIMITS_TOPOLOGY'

export function loadLimitsTopology(file: string = DEFAULT_LIMITS_TOPOLOGY_PATH): LimitsTopology {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw badInput(CODE, `Cannot read limits topology ${file}: ${(error as Error).message}`)
  }
  const parsed = limitsTopologySchema.safeParse(raw)
  if (!parsed.success) {
    throw badInput(CODE, `Limits topology ${file} is invalid: ${formatIssues(parsed.error)}`, [
      `Compare it with ${DEFAULT_LIMITS_TOPOLOGY_PATH}.`,
    ])
  }
  return parsed.data
}
