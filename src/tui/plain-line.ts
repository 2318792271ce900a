import type { ChalkInstance } from 'chalk'
import type { TailRecord } from '../services/tail.js'
import { styleCompactLine } from './compact-line.js'

/** Without a terminal to draw in, the view becomes one line per record, prefixed with its topic. */
export function prefixedLine(record: TailRecord, style: ChalkInstance): string {
  return `${style.dim(`[${record.topic}]`)} ${styleCompactLine(record, undefined, style)}`
}
