import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { formatIssues } from '../contracts/format-issues.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import { badInput } from '../errors.js'

const wholeMs = z.number().int().positive()
const count = z.number().int().positive()

/**
 * topologies/detector.json. Strict objects: a misspelt key in a risk limit must fail loudly rather than leave
 * the limit at a value nobody chose. The Spark job reads the same file, so keys stay camelCase JSON.
 */
export const detectorTopologySchema = z
  .strictObject({
    description: z.string().optional(),
    windowMs: wholeMs,
    slideMs: wholeMs,
    allowedLatenessMs: z.number().int().nonnegative(),
    thresholds: z.strictObject({
      orderCount: count,
      notional: z.number().positive().finite(),
      topSymbolShare: z.number().gt(0).max(1),
    }),
    concentrationMinOrders: count,
    symbolRule: z.strictObject({ orderCount: count }),
    signalIntervalMs: z.number().int().nonnegative(),
    idleEvictMs: wholeMs,
  })
  .superRefine((topology, ctx) => {
    if (topology.windowMs % topology.slideMs !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['slideMs'],
        message: `must divide windowMs (${topology.windowMs}) evenly, so the window is a whole number of buckets`,
      })
    }
    // A late order must still land in a bucket the window holds.
    if (topology.allowedLatenessMs >= topology.windowMs) {
      ctx.addIssue({ code: 'custom', path: ['allowedLatenessMs'], message: 'must be less than windowMs' })
    }
    // Evicting sooner would forget an account whose window still holds orders.
    if (topology.idleEvictMs < topology.windowMs) {
      ctx.addIssue({ code: 'custom', path: ['idleEvictMs'], message: 'must be at least windowMs' })
    }
  }) satisfies z.ZodType<DetectorSettings>

export type DetectorTopology = z.infer<typeof detectorTopologySchema>

/** The source lives in src/config and the build in dist/src/config, so walk up to the package root. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..')
  }
}

export const DEFAULT_DETECTOR_TOPOLOGY_PATH = path.join(
  packageRoot(path.dirname(fileURLToPath(import.meta.url))),
  'topologies',
  'detector.json',
)

const CODE = 'RISKCTL_DETECTOR_TOPOLOGY'

export function loadDetectorTopology(file: string = DEFAULT_DETECTOR_TOPOLOGY_PATH): DetectorTopology {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw badInput(CODE, `Cannot read detector topology ${file}: ${(error as Error).message}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw badInput(CODE, `Detector topology ${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = detectorTopologySchema.safeParse(raw)
  if (!parsed.success) {
    throw badInput(CODE, `Detector topology ${file} is invalid: ${formatIssues(parsed.error)}`, [
      `Compare it with ${DEFAULT_DETECTOR_TOPOLOGY_PATH}.`,
    ])
  }
  return parsed.data
}
