import { AnswerCommand, answerArgs, answerFlags } from '../src/cli/answer-command.js'

export default class Reject extends AnswerCommand<typeof Reject> {
  static override summary = 'Reject a held UNKILL (four eyes): the scope stays as it is.'
  static override description =
    'Publishes a REJECT of the request to killswitch.commands.v1, then waits until killswitch.approvals.v1 shows it rejected. A request already decided or past its expiry is exit 5; an unknown id is exit 2. Through the console it needs the supervisor role.'
  static override examples = ['<%= config.bin %> reject 3f9e1c2a --reason "the algo is still misbehaving"']
  static override args = answerArgs
  static override flags = answerFlags
  protected readonly action = 'REJECT' as const
}
