/**
 * `riskctl limits show` and `riskctl limits set` over the event log. The work is the processors' (the operator
 * console answers GET and POST /limits with the same functions), so that both channels read and change limits alike.
 */
export { readLimits, requestLimits, type LimitsSetOptions, type LimitsSetOutcome } from '../processors/limits-request.js'
export { buildLimitsCommand, limitsScope, LIMITS_SCOPE_FORMS, type LimitsCommandInput } from '../processors/limits-command-input.js'
