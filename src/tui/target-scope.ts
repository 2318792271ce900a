import { accountScope } from '../domain/scope.js'
import type { TailRecord } from '../services/tail.js'

/**
 * The scope `k` and `u` act on for a record: the account an order, signal or decision belongs
 * to, or the scope a kill command or state names. Undefined for records about no one (a dead letter).
 */
export function targetScope(record: TailRecord): string | undefined {
  if (typeof record.value !== 'object' || record.value === null) return undefined
  const value = record.value as Record<string, unknown>
  if (typeof value.account_id === 'string' && value.account_id !== '') return accountScope(value.account_id)
  if (typeof value.scope === 'string' && value.scope !== '') return value.scope
  return undefined
}
