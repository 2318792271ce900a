import type { Template } from './assembly.js'

export interface PlanLine {
  readonly type: string
  readonly count: number
}

export interface Plan {
  readonly total: number
  /** By resource type, most numerous first, then by name. */
  readonly resources: readonly PlanLine[]
  readonly outputs: readonly string[]
  /** Interface VPC endpoints are billed per endpoint and AZ: one network interface per subnet. */
  readonly interfaceEndpointAzs: number
}

/** What a deploy would create, read from the synthesised template. */
export function summarisePlan(template: Template): Plan {
  const counts = new Map<string, number>()
  let interfaceEndpointAzs = 0
  for (const resource of Object.values(template.Resources)) {
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1)
    const properties = (resource.Properties ?? {}) as { VpcEndpointType?: unknown; SubnetIds?: unknown }
    if (resource.Type === 'AWS::EC2::VPCEndpoint' && properties.VpcEndpointType === 'Interface') {
      interfaceEndpointAzs += Array.isArray(properties.SubnetIds) ? properties.SubnetIds.length : 1
    }
  }
  const resources = [...counts.entries()]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type))
  return {
    total: resources.reduce((sum, line) => sum + line.count, 0),
    resources,
    outputs: Object.keys(template.Outputs ?? {}).sort(),
    interfaceEndpointAzs,
  }
}

/** Counts of one type, for the cost estimate. */
export function countOf(plan: Plan, type: string): number {
  return plan.resources.find((line) => line.type === type)?.count ?? 0
}
