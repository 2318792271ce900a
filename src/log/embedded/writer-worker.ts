/**
 * The embedded log's writer thread (writer-thread.ts): a connection of its own to the log's database that runs
 * each append's transaction, so that the thread that decides does not wait on SQLite's inserts and commit.
 * Requests are handled one at a time, in the order they were sent.
 */
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { LogError } from '../errors.js'
import { GroupOffsets } from './group-offsets.js'
import { RecordAppender } from './record-appender.js'
import { TopicCatalogue } from './topic-catalogue.js'
import type { WriteFailure, WriteReply, WriteRequest } from './writer-protocol.js'

const { databasePath } = workerData as { databasePath: string }
const db = new Database(databasePath)
// The schema and the journal mode are the opening connection's to set; these are per connection.
db.pragma('synchronous = NORMAL')
db.pragma('busy_timeout = 10000')
const topics = new TopicCatalogue(db)
const appender = new RecordAppender(db)
const groups = new GroupOffsets(db, topics)

function write(request: WriteRequest): number[][] {
  const appends = request.appends.map(({ topic, batches }) => ({
    topic: topics.get(topic),
    batches: batches.map((batch) => ({ ...batch, data: Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength) })),
  }))
  return db
    .transaction(() => {
      // Read under the write lock: appends get their times in the order they get their offsets.
      const now = Date.now()
      const first = appends.map((append) => appender.append(append, now))
      if (request.commit) groups.commitInTransaction(request.commit.groupId, request.commit.offsets)
      return first
    })
    .immediate()
}

function failure(error: unknown): WriteFailure {
  const code = (error as { code?: unknown }).code
  return {
    message: error instanceof Error ? error.message : String(error),
    code: typeof code === 'string' ? code : undefined,
    logError: error instanceof LogError ? { retriable: error.retriable, suggestions: error.suggestions } : undefined,
  }
}

parentPort?.on('message', (request: WriteRequest | 'close') => {
  if (request === 'close') {
    db.close()
    parentPort?.close()
    return
  }
  let reply: WriteReply
  try {
    reply = { id: request.id, firstOffsets: write(request) }
  } catch (error) {
    reply = { id: request.id, failure: failure(error) }
  }
  parentPort?.postMessage(reply)
})
