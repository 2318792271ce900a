import type { AuditRecord } from '../domain/audit-record.js'
import type { KillState } from '../domain/kill-status.js'
import { auditItem, stateItem, type Item } from './table-items.js'

export interface AuditIndexSink {
  putAudits(audits: readonly AuditRecord[]): Promise<void>
}

export interface StateCacheSink {
  putStates(states: readonly KillState[]): Promise<void>
}

/** What the writers need of a DynamoDB client: BatchWriteItem, returning what was not processed. */
export type BatchWrite = (table: string, items: readonly Item[]) => Promise<readonly Item[]>

type Env = Readonly<Record<string, string | undefined>>

const BATCH_LIMIT = 25
const ATTEMPTS = 5

export function auditIndexSink(env: Env, write: BatchWrite = runtimeBatchWrite): AuditIndexSink {
  const table = env.RISKCTL_AUDIT_TABLE
  return { putAudits: async (audits) => (table ? putAll(write, table, audits.map(auditItem)) : undefined) }
}

export function stateCacheSink(env: Env, write: BatchWrite = runtimeBatchWrite): StateCacheSink {
  const table = env.RISKCTL_STATE_TABLE
  // Several changes of one scope in a batch: only the last is the state, and BatchWriteItem refuses duplicate keys.
  const latest = (states: readonly KillState[]) => [...new Map(states.map((s) => [s.scope, s])).values()]
  return {
    putStates: async (states) => (table ? putAll(write, table, latest(states).map(stateItem)) : undefined),
  }
}

async function putAll(write: BatchWrite, table: string, items: readonly Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_LIMIT) {
    let pending: readonly Item[] = items.slice(start, start + BATCH_LIMIT)
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > ATTEMPTS)
        throw new Error(`${pending.length} items were not written to ${table} after ${ATTEMPTS} attempts`)
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt))
      pending = await write(table, pending)
    }
  }
}

interface DynamoDbModule {
  DynamoDBClient: new () => {
    send(command: unknown): Promise<{ UnprocessedItems?: Record<string, { PutRequest?: { Item?: Item } }[]> }>
  }
  BatchWriteItemCommand: new (input: unknown) => unknown
}

/**
 * The Node.js Lambda runtime ships AWS SDK v3, client-dynamodb included, and the bundle leaves
 * @aws-sdk/* external; the module name is a variable so that the CLI, which never writes to
 * DynamoDB, does not need the package. Swap for a static import once it is a dependency.
 */
const DYNAMODB_MODULE: string = '@aws-sdk/client-dynamodb'
let client:
  Promise<{ module: DynamoDbModule; client: InstanceType<DynamoDbModule['DynamoDBClient']> }> | undefined

const runtimeBatchWrite: BatchWrite = async (table, items) => {
  client ??= (import(DYNAMODB_MODULE) as Promise<DynamoDbModule>).then((module) => ({
    module,
    client: new module.DynamoDBClient(),
  }))
  const { module, client: dynamo } = await client
  const result = await dynamo.send(
    new module.BatchWriteItemCommand({
      RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) },
    }),
  )
  return (result.UnprocessedItems?.[table] ?? []).flatMap((request) =>
    request.PutRequest?.Item ? [request.PutRequest.Item] : [],
  )
}
