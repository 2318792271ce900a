import { execa } from 'execa'
import { fileURLToPath } from 'node:url'
import type { TopicSpec } from '../../topologies/topics.js'
import type { Consumer, EventLog, LogRecord } from '../../src/log/port.js'
import { z } from 'zod'

export const WRITER_SCRIPT = fileURLToPath(new URL('./writer-process.ts', import.meta.url))

/** What the contract suite needs from an adapter under test. */
export interface ContractTarget {
  /** A new, independent connection to the same log: a restarted process sees it like this. */
  open(): Promise<EventLog>
  /** Environment that makes a child process open the same log. */
  childEnv(): Record<string, string>
}

let counter = 0

/** A topic no other test uses, so the suite can share one broker or data dir. */
export function testTopic(overrides: Partial<TopicSpec> = {}): TopicSpec {
  counter += 1
  return {
    name: `contract.${process.pid}.${Date.now().toString(36)}.${counter}`,
    description: 'contract test topic',
    partitions: 3,
    keyField: 'key',
    cleanupPolicy: 'delete',
    configs: {},
    schema: z.unknown(),
    ...overrides,
  }
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

export function parse(record: LogRecord): unknown {
  return record.value === null ? null : JSON.parse(record.value.toString('utf8'))
}

/** Polls until `count` records have arrived or `timeoutMs` has passed. */
export async function drain(consumer: Consumer, count: number, timeoutMs = 10_000): Promise<LogRecord[]> {
  const records: LogRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (records.length < count && Date.now() < deadline) {
    records.push(...(await consumer.poll({ maxRecords: 1000, maxWaitMs: 100 })))
  }
  return records
}

/** Retries `check` until it stops throwing; for things a background process does (compaction). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  }
}

export function startWriter(target: ContractTarget, topic: string, writerId: string, count: number, batchSize: number) {
  return execa('node', ['--import', 'tsx', WRITER_SCRIPT, topic, writerId, String(count), String(batchSize)], {
    env: target.childEnv(),
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
  })
}
