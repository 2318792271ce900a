import type { Template } from '../../src/cloud/assembly.js'

/** Helpers that read a synthesised template the way a reviewer would: by role, by topic, by route. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export interface Resource {
  readonly Type: string
  readonly Properties?: Record<string, Json>
}

export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources as Record<string, Resource>).filter(([, r]) => r.Type === type)
}

/** Flattens intrinsics into a readable string: refs and attributes as ${...}, selects as <select>. */
export function flatten(value: Json | undefined): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value)
  if ('Ref' in value) return `\${${String(value.Ref)}}`
  if ('Fn::GetAtt' in value) return `\${${(value['Fn::GetAtt'] as string[]).join('.')}}`
  if ('Fn::Select' in value) return '<select>'
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]]
    return parts.map(flatten).join(separator)
  }
  return JSON.stringify(value)
}

export interface Statement {
  readonly actions: readonly string[]
  readonly resources: readonly string[]
}

/** Every statement of every inline policy attached to the role of the function with this handler. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const statements: Statement[] = []
  for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
    const roles = (policy.Properties?.Roles ?? []) as Json[]
    if (!roles.some((role) => flatten(role) === `\${${roleId}}`)) continue
    const document = policy.Properties?.PolicyDocument as { Statement: Record<string, Json>[] }
    for (const statement of document.Statement) {
      const list = (value: Json | undefined) =>
        Array.isArray(value) ? value : value === undefined ? [] : [value]
      statements.push({
        actions: list(statement.Action).map(flatten),
        resources: list(statement.Resource).map(flatten),
      })
    }
  }
  return statements
}

export function roleOfFunction(template: Template, handler: string): string {
  const found = resources(template, 'AWS::Lambda::Function').find(([, fn]) => {
    const env = (fn.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables
    return env?.RISKCTL_FUNCTION === handler
  })
  if (!found) throw new Error(`no function for handler ${handler}`)
  return /^\$\{(.+)\.Arn\}$/.exec(flatten(found[1].Properties?.Role))![1]!
}

/** What a role may do on Kafka: topic and group names per action, read off the ARNs. */
export function kafkaGrants(statements: readonly Statement[]): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>()
  for (const statement of statements) {
    for (const action of statement.actions.filter((a) => a.startsWith('kafka-cluster:'))) {
      for (const resource of statement.resources) {
        const match = /:(topic|group|transactional-id)\/riskctl\/<select>\/(.+)$/.exec(resource)
        const name = match ? `${match[1]}:${match[2]}` : resource.includes('Kafka') ? 'cluster' : resource
        const set = grants.get(action) ?? new Set<string>()
        set.add(name)
        grants.set(action, set)
      }
    }
  }
  return grants
}

export const named = (
  grants: Map<string, Set<string>>,
  action: string,
  kind: 'topic' | 'group' | 'transactional-id',
): string[] =>
  [...(grants.get(action) ?? [])]
    .filter((name) => name.startsWith(`${kind}:`))
    .map((name) => name.slice(kind.length + 1))
    .sort()
