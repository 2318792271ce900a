import type { Role } from '../../src/config/user-store.js'
import { runCli, type CliResult } from './cli.js'
import { cliJson, type RunningUp } from './pipeline.js'

/** Adds each user with `riskctl users add` and returns their personal tokens by name. */
export async function addUsers(dataDir: string, users: readonly (readonly [string, Role])[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {}
  for (const [name, role] of users) tokens[name] = (await cliJson<{ token: string }>(['users', 'add', name, '--role', role], dataDir)).token
  return tokens
}

/** Runs the real CLI through the running console (`--api`) as the user whose token it is. */
export function asUser(up: RunningUp, dataDir: string, token: string, args: readonly string[]): Promise<CliResult> {
  return runCli([...args, '--api', up.consoleUrl!], { dataDir, env: { RISKCTL_OPERATOR_TOKEN: token } })
}

/** Stops a `riskctl up` as a crash would, and removes its directory. */
export async function stopUp(up: RunningUp, dir: { remove: () => Promise<void> }): Promise<void> {
  up.process.kill('SIGKILL')
  await up.process.catch(() => undefined)
  await dir.remove()
}
