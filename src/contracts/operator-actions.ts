import { z } from 'zod'
import type { OperatorActionRecord } from '../domain/operator-action.js'
import { MAX_EPOCH_MS } from './messages.js'

const text = (max: number) => z.string().min(1).max(max)

/** A record of operator_actions.v1. */
export const operatorActionSchema: z.ZodType<OperatorActionRecord> = z.object({
  action_id: text(128),
  ts: z.number().int().nonnegative().max(MAX_EPOCH_MS),
  actor: text(128),
  role: text(32).optional(),
  claimed: text(128).optional(),
  channel: z.enum(['console', 'cli', 'tui']),
  from: text(256),
  action: text(128),
  scope: text(128).optional(),
  outcome: z.enum(['ALLOWED', 'REFUSED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'INVALID', 'FAILED']),
  status: z.number().int().min(100).max(599).optional(),
  detail: text(1024),
  cmd_id: text(128).optional(),
  cmd_digest: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  corr_id: text(128).optional(),
})
