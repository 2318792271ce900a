import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { LogError, type LogErrorCode } from '../errors.js'
import type { GroupCommit } from '../port.js'
import type { PreparedAppend } from './record-appender.js'
import type { WriteFailure, WriteReply, WriteRequest } from './writer-protocol.js'

/** Built, the worker is JavaScript; from the sources (tests, the bench), TypeScript run through tsx. */
const FROM_SOURCES = import.meta.url.endsWith('.ts')
const ENTRY = new URL(FROM_SOURCES ? './writer-worker.ts' : './writer-worker.js', import.meta.url)

interface Pending {
  readonly resolve: (firstOffsets: number[][]) => void
  readonly reject: (error: unknown) => void
}

/**
 * Runs the embedded log's append transactions on a thread of their own (writer-worker.ts), one after another in
 * the order they were asked for. The records are encoded here and their bytes moved, not copied. A processor that
 * decides its next batch while the last one is written (the router) then spends its own thread on deciding only.
 */
export class WriterThread {
  private readonly worker: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private broken: unknown

  constructor(databasePath: string) {
    this.worker = FROM_SOURCES
      ? // A worker takes no --import: from the sources, it registers tsx itself before loading its entry.
        new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY.href)}) })`, {
          eval: true,
          workerData: { databasePath },
        })
      : new Worker(ENTRY, { workerData: { databasePath } })
    // Only a write under way keeps the process alive; an idle writer must not hold up its exit.
    this.worker.unref()
    this.worker.on('message', (reply: WriteReply) => this.settle(reply))
    this.worker.on('error', (error) => this.fail(error))
    this.worker.on('exit', (code) => this.fail(new Error(`the embedded log's writer thread stopped (exit code ${code})`)))
  }

  /** Each append's first offset per partition, once its transaction committed. */
  append(appends: readonly PreparedAppend[], commit: GroupCommit | undefined): Promise<number[][]> {
    if (this.broken !== undefined) return Promise.reject(asLogError(this.broken))
    const id = (this.nextId += 1)
    const request: WriteRequest = {
      id,
      appends: appends.map((append) => ({ topic: append.topic.name, batches: append.batches })),
      commit,
    }
    const transfer = appends.flatMap((append) => append.batches.flatMap((batch) => [batch.data.buffer as ArrayBuffer, batch.timestamps.buffer as ArrayBuffer]))
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.pending.size === 1) this.worker.ref()
      this.worker.postMessage(request, transfer)
    })
  }

  /** Waits for the writes under way, then stops the thread. */
  async close(): Promise<void> {
    if (this.broken !== undefined) return
    const exited = once(this.worker, 'exit')
    this.worker.ref()
    this.worker.postMessage('close')
    await exited
  }

  private settle(reply: WriteReply): void {
    const pending = this.pending.get(reply.id)
    if (pending === undefined) return
    this.pending.delete(reply.id)
    if (this.pending.size === 0) this.worker.unref()
    if ('firstOffsets' in reply) pending.resolve(reply.firstOffsets)
    else pending.reject(rebuilt(reply.failure))
  }

  private fail(error: unknown): void {
    this.broken ??= error
    for (const pending of this.pending.values()) pending.reject(asLogError(error))
    this.pending.clear()
  }
}

/** The error as the write would have thrown it on this thread: a LogError as such, SQLite's with its code. */
function rebuilt(failure: WriteFailure): Error {
  if (failure.logError !== undefined && failure.code !== undefined) {
    return new LogError(failure.code as LogErrorCode, failure.message, failure.logError)
  }
  return Object.assign(new Error(failure.message), { code: failure.code })
}

function asLogError(error: unknown): LogError {
  return new LogError('RISKCTL_LOG_FAILURE', error instanceof Error ? error.message : String(error), { retriable: false, cause: error })
}
