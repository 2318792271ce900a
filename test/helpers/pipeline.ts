import { runCli, spawnCli, type SpawnedCli } from './cli.js'
import { KILL_SWITCH_ONLY_ARGS } from './limits.js'

export interface RunningUp {
  readonly process: SpawnedCli
  readonly consoleUrl: string | undefined
  stderr(): string
}

/** Starts `riskctl up` and resolves once it reports the kill state loaded. */
export async function startUp(dataDir: string, args: readonly string[] = ['--console-port', '0']): Promise<RunningUp> {
  const child = spawnCli(['up', ...withLimits(args)], { dataDir })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const deadline = Date.now() + 20_000
  while (!stderr.includes('ready:')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`riskctl up did not become ready:\n${stderr}`)
    }
    await sleep(50)
  }
  const consoleUrl = /operator console (http:\/\/\S+)/.exec(stderr)?.[1]
  return { process: child, consoleUrl, stderr: () => stderr }
}

/**
 * The suites that start `up` this way are about the kill switch: their routers run it alone unless the arguments name
 * a limits file (the pre-trade checks have suites of their own, with topologies/limits.json).
 */
export function withLimits(args: readonly string[]): readonly string[] {
  return args.includes('--limits') ? args : [...args, ...KILL_SWITCH_ONLY_ARGS]
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export async function cliJson<T>(args: readonly string[], dataDir: string): Promise<T> {
  const result = await runCli([...args, '--json'], { dataDir })
  if (result.exitCode !== 0) throw new Error(`riskctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** Retries until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** Every record of a topic, read with the real CLI. */
export async function readTopic<T>(topic: string, dataDir: string): Promise<{ key: string | null; value: T }[]> {
  const result = await runCli(['tail', topic, '--from', 'beginning', '--no-follow', '--format', 'json'], { dataDir })
  if (result.exitCode !== 0) throw new Error(result.stderr)
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { key: string | null; value: T })
}
