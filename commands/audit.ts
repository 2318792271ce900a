import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { badInput } from '../src/errors.js'
import { renderActionTrail, renderAuditRecords } from '../src/cli/render-audit.js'
import { auditDecisionSchema } from '../src/contracts/messages.js'
import type { AuditRecord } from '../src/domain/audit-record.js'
import { CHECK_ORDER } from '../src/domain/pretrade/check-codes.js'
import { queryAudit } from '../src/services/audit.js'
import { queryActions, type ActionTrail } from '../src/services/operator-actions.js'

const DECISION_FILTERS = ['account', 'decision', 'check'] as const

export default class Audit extends BaseCommand<typeof Audit, AuditRecord[] | ActionTrail> {
  static override summary = 'Query the audit trail: one record per router decision and per command, newest first.'
  static override description =
    "Answers from a local index of audit.v1 (the seed's DynamoDB queries), brought up to date first. Filters combine: --account 12345 --decision DROP shows the orders of 12345 the kill switch stopped; --corr-id follows one kill or unkill through every decision it caused. --actions shows the operator-action trail instead (operator_actions.v1): every operator action tried, through the console or the CLI, by whom, from where, allowed or refused, failed logins too."
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> audit --account 12345 --decision DROP',
    '<%= config.bin %> audit --corr-id 1f9ee8ce-6875-48c7-a787-47b7bafd3ded --json',
    '<%= config.bin %> audit --since 10m --limit 20',
    '<%= config.bin %> audit --decision REFUSED',
    '<%= config.bin %> audit --check CREDIT_LIMIT --account 10001',
    '<%= config.bin %> audit --actions --since 1h',
    '<%= config.bin %> audit --actions --actor alice',
  ]
  static override flags = {
    account: Flags.string({ description: 'Only this account' }),
    decision: Flags.string({ description: 'Only this decision', options: [...auditDecisionSchema.options] }),
    check: Flags.string({ description: 'Only orders this pre-trade check decided', options: [...CHECK_ORDER] }),
    'corr-id': Flags.string({ description: 'Only decisions made under this state record (a kill, an unkill); with --actions, that command\'s entries' }),
    since: Flags.string({ description: 'Only from this time: ISO, epoch ms, or 30s / 10m / 2h / 1d ago' }),
    limit: Flags.integer({ description: 'At most this many records', default: 50, min: 1, max: 100_000 }),
    actions: Flags.boolean({
      description: 'The operator-action trail: who tried what, when, from where, allowed or refused',
      default: false,
      exclusive: [...DECISION_FILTERS],
    }),
    actor: Flags.string({ description: 'With --actions: only this person (alice also finds local:alice and sasl:alice)' }),
  }

  async run(): Promise<AuditRecord[] | ActionTrail> {
    const { flags } = this
    if (flags.actor !== undefined && !flags.actions) {
      throw badInput('RISKCTL_FLAG_INVALID', '--actor filters the operator-action trail: use it with --actions.', [`riskctl audit --actions --actor ${flags.actor}`])
    }
    if (flags.actions) {
      return queryActions(await this.openLog(), { since: flags.since, actor: flags.actor, corrId: flags['corr-id'], limit: flags.limit })
    }
    const decision = flags.decision === undefined ? undefined : auditDecisionSchema.parse(flags.decision)
    const check = CHECK_ORDER.find((code) => code === flags.check)
    return queryAudit(await this.openLog(), this.settings.backend.dataDir, {
      account: flags.account,
      decision,
      corrId: flags['corr-id'],
      check,
      since: flags.since,
      limit: flags.limit,
    })
  }

  protected override render(result: AuditRecord[] | ActionTrail): void {
    this.out.line(Array.isArray(result) ? renderAuditRecords(result, this.out.style) : renderActionTrail(result, this.out.style))
  }
}
