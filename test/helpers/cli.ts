import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

export const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  readonly dataDir?: string
  readonly input?: string
  readonly env?: Record<string, string>
  readonly timeoutMs?: number
}

/** The environment a user's shell would give: no colour, so assertions read plain text. */
function cliEnv(options: CliOptions): Record<string, string> {
  return {
    NO_COLOR: '1',
    ...(options.dataDir === undefined ? {} : { RISKCTL_DATA_DIR: options.dataDir }),
    ...options.env,
  }
}

/** Runs the real CLI (bin/run.js) to completion and returns what a script would see. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await execa('node', [RUN_JS, ...args], {
    env: cliEnv(options),
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  })
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) }
}

/** Starts the CLI without waiting, for commands that run until stopped (tail, up). */
export function spawnCli(args: readonly string[], options: CliOptions = {}) {
  return execa('node', [RUN_JS, ...args], {
    env: cliEnv(options),
    reject: false,
    buffer: true,
    stdin: 'ignore',
    // Our own pipes: tests read output lines as they arrive.
    stdout: 'pipe',
    stderr: 'pipe',
  })
}
export type SpawnedCli = ReturnType<typeof spawnCli>

export async function createTempDir(prefix = 'riskctl-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) }
}
