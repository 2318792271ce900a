import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderIssuedToken } from '../../src/cli/render-users.js'
import { UserStore, type IssuedToken } from '../../src/services/users.js'

export default class UsersRotate extends BaseCommand<typeof UsersRotate, IssuedToken> {
  static override summary = "Give a user a new personal token (printed once); the old one stops working at once."
  static override description = 'Exits 5 if there is no such user.'
  static override examples = ['<%= config.bin %> users rotate alice']
  static override args = {
    name: Args.string({ description: 'The user', required: true }),
  }

  async run(): Promise<IssuedToken> {
    return new UserStore(this.settings.backend.dataDir).rotate(this.args.name)
  }

  protected override render(issued: IssuedToken): void {
    this.out.line(renderIssuedToken(issued, 'rotated', this.out.style))
  }
}
