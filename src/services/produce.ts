import { decodeJson, keyOf } from '../contracts/decode.js'
import type { EventLog, ProduceRecord } from '../log/port.js'
import { requireTopic } from './topic-name.js'

export interface ProduceOptions {
  readonly topic: string
  readonly lines: AsyncIterable<string>
  /** Validate against the topic's contract; off sends each line as it is. */
  readonly validate: boolean
  readonly batchSize?: number
  readonly onRejected?: (rejection: RejectedLine) => void
}

export interface RejectedLine {
  readonly line: number
  readonly problem: string
}

export interface ProduceResult {
  readonly topic: string
  readonly produced: number
  readonly rejected: readonly RejectedLine[]
}

/**
 * Produces JSON lines to a topic, keyed by the topic's key field. Invalid lines are reported and
 * skipped; the valid ones are still produced, in order, in batches.
 */
export async function produceLines(log: EventLog, options: ProduceOptions): Promise<ProduceResult> {
  const spec = requireTopic(options.topic)
  const batchSize = options.batchSize ?? 500
  const rejected: RejectedLine[] = []
  let batch: ProduceRecord[] = []
  let produced = 0
  let lineNumber = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await log.produce(spec.name, batch)
    produced += batch.length
    batch = []
  }
  for await (const line of options.lines) {
    lineNumber += 1
    if (line.trim() === '') continue
    const record = options.validate
      ? validRecord(line, spec.schema, spec.keyField)
      : rawRecord(line, spec.keyField)
    if (typeof record === 'string') {
      const rejection = { line: lineNumber, problem: record }
      rejected.push(rejection)
      options.onRejected?.(rejection)
      continue
    }
    batch.push(record)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  return { topic: spec.name, produced, rejected }
}

function validRecord(
  line: string,
  schema: Parameters<typeof decodeJson>[0],
  keyField: string,
): ProduceRecord | string {
  const decoded = decodeJson(schema, line)
  if (!decoded.ok) return decoded.error
  // Produce the normalised value (e.g. a scope in canonical case), not the line as typed.
  return { key: keyOf(decoded.value, keyField), value: Buffer.from(JSON.stringify(decoded.value)) }
}

function rawRecord(line: string, keyField: string): ProduceRecord {
  let key: string | null = null
  try {
    key = keyOf(JSON.parse(line), keyField)
  } catch {
    // Not JSON: sent as it is, unkeyed, which is the point of --no-validate.
  }
  return { key, value: Buffer.from(line) }
}
