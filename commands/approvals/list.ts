import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { apiFlag } from '../../src/cli/kill-switch-command.js'
import { renderApprovals } from '../../src/cli/render-approvals.js'
import type { ApprovalRecord } from '../../src/domain/approval.js'
import { listApprovals } from '../../src/services/approvals.js'

export default class ApprovalsList extends BaseCommand<typeof ApprovalsList, ApprovalRecord[]> {
  static override summary = 'List the UNKILLs waiting for a second person\'s approval (four eyes).'
  static override description =
    'Reads the compacted killswitch.approvals.v1 (with --api: through the operator console). Under four-eyes unkill (topologies/controls.json) an UNKILL, or a THROTTLE that would loosen, is held as a request until a second, different, named person approves it with riskctl approve, or it expires; a KILL of the scope cancels it. --all also shows the requests approved, rejected, expired or cancelled.'
  static override profileUse = 'connect' as const
  static override examples = ['<%= config.bin %> approvals list', '<%= config.bin %> approvals list --all --json']
  static override flags = {
    all: Flags.boolean({ description: 'Also the requests approved, rejected or expired', default: false }),
    api: apiFlag('Read it'),
  }

  async run(): Promise<ApprovalRecord[]> {
    return listApprovals(this.flags.all, this.operatorRoute(this.flags.api))
  }

  protected override render(requests: ApprovalRecord[]): void {
    this.out.line(renderApprovals(requests, this.out.style))
  }
}
