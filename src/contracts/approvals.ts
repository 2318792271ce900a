import { z } from 'zod'
import type { ApprovalCommand, ApprovalRecord } from '../domain/approval.js'
import { killCommandSchema, MAX_EPOCH_MS, scopeSchema } from './messages.js'

const epochMs = z.number().int().nonnegative().max(MAX_EPOCH_MS)
const shortText = z.string().min(1).max(128)
const reasonText = z.string().min(1).max(1024)

/** An APPROVE or REJECT of a held UNKILL, on killswitch.commands.v1. */
export const approvalCommandSchema = z.strictObject({
  cmd_id: shortText,
  ts: epochMs,
  action: z.enum(['APPROVE', 'REJECT']),
  request_id: shortText,
  scope: scopeSchema,
  reason: reasonText,
  triggered_by: shortText,
  operator: shortText.optional(),
  corr_id: shortText,
}) satisfies z.ZodType<ApprovalCommand>

/** A record of killswitch.approvals.v1: a held UNKILL and what became of it. */
export const approvalRecordSchema = z.object({
  request_id: shortText,
  scope: scopeSchema,
  action: z.enum(['UNKILL', 'THROTTLE']),
  requested_by: shortText,
  requested_ts: epochMs,
  expires_ts: epochMs,
  state_version: z.string().min(1).max(1024).optional(),
  reason: reasonText,
  corr_id: shortText,
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED']),
  decided_by: shortText.optional(),
  decided_ts: epochMs.optional(),
  decision_reason: reasonText.optional(),
  command: killCommandSchema,
}) satisfies z.ZodType<ApprovalRecord>
