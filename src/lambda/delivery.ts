import type { GroupCommit, LogRecord } from '../log/port.js'
import type { LogReader, TopicWriter } from '../processors/log-access.js'

/** What of one delivered batch is still to decide, and the commit that marks it decided. */
export interface Delivery {
  /** The records past the progress group's position: what no earlier delivery of this batch wrote. */
  readonly fresh: readonly LogRecord[]
  /** The records an earlier delivery had already decided, and this one skips. */
  readonly redelivered: readonly LogRecord[]
  /** Past every record of the delivery, to the function's progress group: written with the outputs, atomically. */
  readonly commit: GroupCommit
}

/**
 * The mapping commits its own group's offsets only after the handler returns, so a batch whose outputs were
 * written can be delivered again (a timeout, a failed cache write). The step's outputs therefore go, in one
 * transaction, with a commit to a progress group of the function's own, and a delivery decides only what lies past
 * that group's position: a redelivered batch is decided, forwarded and audited once.
 */
export async function openDelivery(
  reader: LogReader,
  writer: TopicWriter<string>,
  progressGroup: string,
  topic: string,
  records: readonly LogRecord[],
): Promise<Delivery> {
  const first = new Map<number, number>()
  const next = new Map<number, number>()
  for (const { partition, offset } of records) {
    first.set(partition, Math.min(first.get(partition) ?? offset, offset))
    next.set(partition, Math.max(next.get(partition) ?? 0, offset + 1))
  }
  // Every attempt at this batch names the same partitions, so it writes with the same transactional id; registering
  // it first finishes (or aborts) a transaction an earlier attempt left in flight, before its progress is read.
  const toOffsets = (offsets: ReadonlyMap<number, number>) => [...offsets].map(([partition, offset]) => ({ topic, partition, offset }))
  await writer.prepare({ groupId: progressGroup, offsets: toOffsets(first) })
  const progress = await reader.committedOffsets(progressGroup, topic)
  const done = new Map(progress.map((p) => [p.partition, p.offset]))
  const isFresh = (record: LogRecord) => record.offset >= (done.get(record.partition) ?? 0)
  // Never behind what an earlier (later-numbered) delivery committed.
  for (const [partition, offset] of next) next.set(partition, Math.max(offset, done.get(partition) ?? 0))
  return {
    fresh: records.filter(isFresh),
    redelivered: records.filter((record) => !isFresh(record)),
    commit: { groupId: progressGroup, offsets: toOffsets(next) },
  }
}

/**
 * Runs one delivery's work with a deadline this long before the Lambda's own timeout, so that the failure is ours
 * and says why. The work is told through `signal` and must check `beforeWrite` just before it writes: past the
 * deadline it writes nothing and throws. It is always waited for, never left behind: a warm container thawed by the
 * next invocation (often the redelivery of this batch) must not find this one still deciding, with the state it
 * read before, or committing alongside it.
 */
export async function withinBudget<T>(
  budgetMs: number,
  what: string,
  work: (beforeWrite: () => void) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + Math.max(1, budgetMs)
  return work(() => {
    if (Date.now() >= deadline) throw new Error(`${what} did not finish within ${budgetMs} ms; nothing was written`)
  })
}
