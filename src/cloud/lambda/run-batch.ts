import type { EventLog, LogRecord } from '../../log/port.js'
import type { Processor } from '../../processors/processor.js'
import { TriggeredLog } from './triggered-log.js'

export interface BatchRun {
  readonly log: EventLog
  readonly topic: string
  readonly records: readonly LogRecord[]
  /** Where the processor's commits go (TriggeredLog): what an earlier delivery decided is skipped. */
  readonly progressGroup: string
  /** Give up this long before the Lambda's own timeout, so the failure is ours and says why. */
  readonly budgetMs: number
}

/**
 * Runs a long-running processor over one delivered batch: the same class, unchanged, that runs
 * in-process on a laptop. It returns once the processor has written the batch's outputs, with the
 * records an earlier delivery had already decided (and this one skipped); if it cannot within the
 * budget it throws, the invocation fails and the mapping redelivers the batch.
 */
export async function runOverBatch(
  run: BatchRun,
  make: (log: EventLog) => Processor,
): Promise<readonly LogRecord[]> {
  const triggered = new TriggeredLog(run.log, {
    topic: run.topic,
    records: run.records,
    progressGroup: run.progressGroup,
  })
  if (triggered.finished.aborted) return []
  const timeout = AbortSignal.timeout(Math.max(1, run.budgetMs))
  await make(triggered).run(AbortSignal.any([triggered.finished, timeout]))
  if (!triggered.finished.aborted) {
    throw new Error(
      `${run.records.length} records of ${run.topic} were not written within ${run.budgetMs} ms`,
    )
  }
  return triggered.redelivered
}
