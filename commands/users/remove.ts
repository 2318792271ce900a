import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { UserStore, type UserSummary } from '../../src/services/users.js'

export default class UsersRemove extends BaseCommand<typeof UsersRemove, UserSummary> {
  static override summary = 'Remove a user: their token stops working at once.'
  static override description = 'Exits 5 if there is no such user.'
  static override examples = ['<%= config.bin %> users remove bob']
  static override args = {
    name: Args.string({ description: 'The user', required: true }),
  }

  async run(): Promise<UserSummary> {
    return await new UserStore(this.settings.backend.dataDir).remove(this.args.name)
  }

  protected override render(user: UserSummary): void {
    this.out.line(`${this.out.style.green('removed')} ${user.name} (${user.role})`)
  }
}
