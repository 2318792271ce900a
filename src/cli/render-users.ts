import type { ChalkInstance } from 'chalk'
import type { IssuedToken, UserSummary } from '../services/users.js'
import { renderTable } from './table.js'

/** A new or rotated token: shown this once, with what it is for. */
export function renderIssuedToken(issued: IssuedToken, verb: 'added' | 'rotated', style: ChalkInstance): string {
  return [
    `${style.green(verb)} ${issued.user.name} (${issued.user.role})`,
    `token: ${issued.token}`,
    style.dim('Shown this once: only its salted hash is kept. Give it to the user; the console records them as the operator.'),
  ].join('\n')
}

export function renderUsers(users: readonly UserSummary[], style: ChalkInstance): string {
  if (users.length === 0) return style.dim('No users yet: the console takes only the bootstrap token. Add one: riskctl users add NAME --role operator')
  return renderTable(
    ['NAME', 'ROLE', 'CREATED', 'TOKEN ROTATED'],
    users.map((user) => [user.name, user.role, new Date(user.created_ts).toISOString(), new Date(user.rotated_ts).toISOString()]),
  )
}
