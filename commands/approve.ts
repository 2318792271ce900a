import { AnswerCommand, answerArgs, answerFlags } from '../src/cli/answer-command.js'

export default class Approve extends AnswerCommand<typeof Approve> {
  static override summary = "Approve another person's held UNKILL (four eyes): the aggregator then applies it."
  static override description =
    'Publishes an APPROVE of the request to killswitch.commands.v1 as the identity the log (or, with --api, the console) authenticates, then waits until killswitch.state.v1 shows the scope restored. The person who asked may not approve (exit 4); a request already decided or past its expiry is exit 5; an unknown id is exit 2. Through the console it needs the supervisor role.'
  static override examples = ['<%= config.bin %> approve 3f9e1c2a --reason "checked the fix with the desk"']
  static override args = answerArgs
  static override flags = answerFlags
  protected readonly action = 'APPROVE' as const
}
