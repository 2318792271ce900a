import type { ResultPromise } from 'execa'

/** A line `riskctl up --json` prints: its events, and with each status the processes it runs. */
export interface UpLine {
  readonly event: string
  readonly processes?: readonly { name: string; pid: number | undefined }[]
}

/** Follows `riskctl up --json`: the last status it printed, and a wait for a line that passes a test. */
export function followJsonLines(child: ResultPromise): { until: (test: (line: UpLine) => boolean, timeoutMs: number) => Promise<void>; last: () => UpLine | undefined } {
  let last: UpLine | undefined
  let buffered = ''
  const waiters: { test: (line: UpLine) => boolean; resolve: () => void }[] = []
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      if (line.trim() === '') continue
      const parsed = JSON.parse(line) as UpLine
      if (parsed.event === 'status') last = parsed
      for (const waiter of [...waiters]) if (waiter.test(parsed)) waiter.resolve()
    }
  })
  return {
    last: () => last,
    until: (test, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('riskctl up did not get ready')), timeoutMs)
        void child.catch((error: unknown) => reject(error instanceof Error ? error : new Error(String(error))))
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer)
            resolve()
          },
        })
      }),
  }
}
