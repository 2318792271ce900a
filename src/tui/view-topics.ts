import { AUDIT, KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { badInput } from '../errors.js'
import { requireTopic } from '../services/topic-name.js'

/** The seed demo's five terminals, as five panes. */
export const DEFAULT_VIEW_TOPICS: readonly string[] = Object.freeze([
  ORDERS,
  RISK_SIGNALS,
  KILL_COMMANDS,
  KILL_STATE,
  AUDIT,
])

/** `--topics a,b,c`: each name checked, so a typo fails with the list of valid topics. */
export function parseViewTopics(text: string | undefined): string[] {
  if (text === undefined) return [...DEFAULT_VIEW_TOPICS]
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  if (names.length === 0)
    throw badInput('RISKCTL_TOPICS_EMPTY', '--topics names no topic.', [
      'Example: --topics orders.v1,audit.v1',
    ])
  return [...new Set(names.map((name) => requireTopic(name).name))]
}

/** The panes' topics plus the three the header is computed from (kills, decisions, credit warnings), each once. */
export function topicsToRead(paneTopics: readonly string[]): string[] {
  return [...new Set([...paneTopics, KILL_STATE, AUDIT, RISK_SIGNALS])]
}
