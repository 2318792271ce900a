import { execa } from 'execa'

export interface SparkProcessOptions {
  readonly command: string
  readonly args: readonly string[]
  /** Added to the inherited environment. */
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Aborting stops the process: SIGINT, then SIGTERM after graceMs, then SIGKILL after graceMs more. */
  readonly signal: AbortSignal
  readonly graceMs: number
  /** Every line the process writes, stdout and stderr alike. */
  readonly onLine: (line: string) => void
}

export interface SparkProcessResult {
  readonly exitCode: number | undefined
  readonly signal: string | undefined
  /** Stopped because signal was aborted (whatever exit status that gave). */
  readonly stopped: boolean
}

/**
 * Runs spark-submit (or anything shaped like it) to the end. SIGINT first: it lets Spark stop its
 * streaming queries and close the checkpoint; SIGTERM and SIGKILL are for a JVM that does not listen.
 */
export async function runSparkProcess(options: SparkProcessOptions): Promise<SparkProcessResult> {
  const child = execa(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    forceKillAfterDelay: options.graceMs,
  })
  let stopped = false
  let escalation: NodeJS.Timeout | undefined
  const stop = (): void => {
    stopped = true
    child.kill('SIGINT')
    escalation = setTimeout(() => child.kill('SIGTERM'), options.graceMs)
    escalation.unref()
  }
  if (options.signal.aborted) stop()
  else options.signal.addEventListener('abort', stop, { once: true })
  try {
    for await (const line of child.iterable({ from: 'all' })) options.onLine(line)
    const result = await child
    return { exitCode: result.exitCode, signal: result.signal, stopped }
  } finally {
    options.signal.removeEventListener('abort', stop)
    if (escalation !== undefined) clearTimeout(escalation)
  }
}
