import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderIssuedToken } from '../../src/cli/render-users.js'
import { ROLE_RIGHTS, ROLES, UserStore, type IssuedToken } from '../../src/services/users.js'

export default class UsersAdd extends BaseCommand<typeof UsersAdd, IssuedToken> {
  static override summary = 'Add an operator console user with a role, and print their personal token once.'
  static override description = `Roles: ${ROLES.map((role) => `${role} (${ROLE_RIGHTS[role]})`).join('; ')}. The token is printed this once; the data directory keeps only its salted scrypt hash (users.json, readable by its owner). The console of \`riskctl up\` on this data directory records the user as the operator of what they send. Exits 5 if the user exists.`
  static override examples = ['<%= config.bin %> users add alice --role supervisor', '<%= config.bin %> users add bob --role operator --json']
  static override args = {
    name: Args.string({ description: 'The user name: letters, digits, . _ @ -', required: true }),
  }
  static override flags = {
    role: Flags.string({ description: 'viewer | operator | supervisor', required: true }),
  }

  async run(): Promise<IssuedToken> {
    return new UserStore(this.settings.backend.dataDir).add(this.args.name, this.flags.role)
  }

  protected override render(issued: IssuedToken): void {
    this.out.line(renderIssuedToken(issued, 'added', this.out.style))
  }
}
