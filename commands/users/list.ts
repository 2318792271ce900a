import { BaseCommand } from '../../src/cli/base-command.js'
import { renderUsers } from '../../src/cli/render-users.js'
import { UserStore, type UserSummary } from '../../src/services/users.js'

export default class UsersList extends BaseCommand<typeof UsersList, UserSummary[]> {
  static override summary = "List the operator console's users and their roles (never their tokens)."
  static override examples = ['<%= config.bin %> users list', '<%= config.bin %> users list --json']

  async run(): Promise<UserSummary[]> {
    return new UserStore(this.settings.backend.dataDir).list()
  }

  protected override render(users: UserSummary[]): void {
    this.out.line(renderUsers(users, this.out.style))
  }
}
