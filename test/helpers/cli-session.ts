import path from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import {
  createRiskctlTopics,
  kafkaEnv,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
} from '../kafka/support.js'
import { createTempDir, runCli, type CliResult } from './cli.js'
import { startUp } from './pipeline.js'

/** The real CLI against one log (embedded or Kafka), optionally with input on stdin. */
export type Cli = (args: readonly string[], input?: string) => Promise<CliResult>

export interface CliSession {
  readonly cli: Cli
  /** The test's own temporary directory, and the data directory inside it. */
  readonly dir: string
  readonly dataDir: string
  /** Starts `riskctl up` with these arguments (the console on a free port by default); stopped after the test. */
  startUp(args?: readonly string[]): Promise<void>
}

/**
 * For a suite that drives the real CLI: each test gets a fresh data directory (on Kafka, fresh riskctl topics
 * too), and with `upArgs` a running `riskctl up`, stopped after it.
 */
export function useCliSession(backend: 'embedded' | 'kafka', upArgs?: readonly string[]): CliSession {
  let dir: { path: string; remove: () => Promise<void> } | undefined
  let stop: (() => Promise<void>) | undefined
  const dataDir = () => path.join(dir!.path, 'data')
  const session: CliSession = {
    cli: (args, input) =>
      runCli(args, {
        dataDir: dataDir(),
        ...(input === undefined ? {} : { input }),
        ...(backend === 'kafka' ? { env: kafkaEnv() } : {}),
        timeoutMs: 60_000,
      }),
    get dir() {
      return dir!.path
    },
    get dataDir() {
      return dataDir()
    },
    startUp: async (args = ['--console-port', '0']) => {
      if (backend === 'kafka') {
        const up = await startUpOnKafka(dataDir(), args)
        stop = () => stopProcess(up)
        return
      }
      const up = await startUp(dataDir(), args)
      stop = async () => {
        up.process.kill('SIGKILL')
        await up.process
      }
    },
  }
  beforeEach(async () => {
    if (backend === 'kafka') {
      await resetRiskctlTopics()
      await createRiskctlTopics()
    }
    dir = await createTempDir()
    if (upArgs !== undefined) await session.startUp(upArgs)
  })
  afterEach(async () => {
    await stop?.()
    stop = undefined
    await dir?.remove()
  })
  return session
}

/** Account 12345 running away as the demo's does (50 orders/s for 4 s: the detector kills it after its 101st order). */
export async function runaway(cli: Cli, seed: number): Promise<void> {
  const result = await cli([
    'generate',
    '--mode',
    'panic',
    '--account',
    '12345',
    '--rate',
    '50',
    '--duration',
    '4',
    '--seed',
    String(seed),
  ])
  if (result.exitCode !== 0)
    throw new Error(`riskctl generate --mode panic exited ${result.exitCode}: ${result.stderr}`)
}
