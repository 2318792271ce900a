import { Args, Flags, type Command } from '@oclif/core'
import type { ApprovalAction } from '../domain/approval.js'
import { answer, type AnswerOutcome } from '../services/approvals.js'
import { BaseCommand } from './base-command.js'
import { apiFlag } from './kill-switch-command.js'
import { renderAnswer } from './render-approvals.js'

export const answerArgs = {
  id: Args.string({ description: 'The request: its id, or at least its first 6 characters (approvals list shows 8)', required: true }),
}

export const answerFlags = {
  reason: Flags.string({ char: 'r', description: 'Why: it goes into the audit trail', required: true }),
  wait: Flags.boolean({ description: 'Wait until the aggregator has carried it out (up to 10 s)', default: true, allowNo: true }),
  api: apiFlag(),
}

/** approve and reject differ only in their action; the flow and the output are one. */
export abstract class AnswerCommand<T extends typeof Command> extends BaseCommand<T, AnswerOutcome> {
  static override profileUse = 'connect' as const
  protected abstract readonly action: ApprovalAction

  async run(): Promise<AnswerOutcome> {
    const flags = this.flags as unknown as { reason: string; wait: boolean; api?: string }
    const id = (this.args as unknown as { id: string }).id
    return answer({ id, action: this.action, reason: flags.reason }, this.operatorRoute(flags.api), { wait: flags.wait, signal: this.stopSignal() })
  }

  protected override render(outcome: AnswerOutcome): void {
    this.out.line(renderAnswer(outcome, this.out.style))
  }
}
