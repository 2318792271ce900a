import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { formatIssues } from '../contracts/format-issues.js'
import type { FourEyesPolicy } from '../domain/approval.js'
import { badInput } from '../errors.js'
import { parseSpan } from '../time-span.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH } from './detector-topology.js'

/** A held request longer than the aggregator remembers commands (a week) could outlive the memory of its answers. */
const MAX_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000

const span = z.string().refine(
  (text) => {
    try {
      const ms = parseSpan(text, 'approvalTimeout')
      return ms >= 1000 && ms <= MAX_TIMEOUT_MS
    } catch {
      return false
    }
  },
  { message: 'takes a span from a second to 7 days: 90s, 15m, 2h' },
)

/** topologies/controls.json: how the operators' controls are authorised. */
export const controlsTopologySchema = z.strictObject({
  description: z.string().optional(),
  fourEyes: z.strictObject({ unkill: z.boolean(), approvalTimeout: span }),
})

export const DEFAULT_CONTROLS_TOPOLOGY_PATH = path.join(path.dirname(DEFAULT_DETECTOR_TOPOLOGY_PATH), 'controls.json')

const CODE = 'RISKCTL_CONTROLS_TOPOLOGY'

/** The four-eyes policy of a controls topology file (default topologies/controls.json). Bad input is exit 2. */
export function loadFourEyesPolicy(file: string = DEFAULT_CONTROLS_TOPOLOGY_PATH): FourEyesPolicy {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw badInput(CODE, `Cannot read controls topology ${file}: ${(error as Error).message}`)
  }
  const parsed = controlsTopologySchema.safeParse(raw)
  if (!parsed.success) {
    throw badInput(CODE, `Controls topology ${file} is invalid: ${formatIssues(parsed.error)}`, [`Compare it with ${DEFAULT_CONTROLS_TOPOLOGY_PATH}.`])
  }
  return { unkill: parsed.data.fourEyes.unkill, timeoutMs: parseSpan(parsed.data.fourEyes.approvalTimeout, 'approvalTimeout') }
}
