import { formatUsd, type CostEstimate } from './cost.js'
import type { Plan } from './plan.js'

/** The plan as the operator reads it before saying yes: what, how many, and what it costs. */
export function renderPlan(plan: Plan, cost: CostEstimate, region: string): string {
  const width = Math.max(...plan.resources.map((line) => line.type.length))
  const lines = [
    `riskctl will create ${plan.total} resources in ${region}:`,
    ...plan.resources.map((line) => `  ${line.type.padEnd(width)}  ${String(line.count).padStart(3)}`),
    '',
    'Estimated cost (on demand, us-east-1 prices):',
    ...cost.lines.map((line) => `  ${formatUsd(line.perHour).padStart(7)}/h  ${line.item}`),
    `  ${formatUsd(cost.perHour).padStart(7)}/h  total with the detector running (${formatUsd(cost.perHour * 24)} a day)`,
    `  ${formatUsd(cost.idlePerHour).padStart(7)}/h  total with the detector stopped`,
    'It keeps costing until `riskctl destroy`.',
  ]
  return lines.join('\n')
}
