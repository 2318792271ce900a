/**
 * The entry of a processor process (forked by processor-child.ts): it takes its spec over the IPC channel, opens
 * the log itself and runs one processor until told to stop, reporting its figures as it goes. Its guarantees are
 * the processor's own: every write is atomic with its group commit, so a kill -9 here loses nothing a restart does
 * not redo, and its parent going away stops it cleanly.
 */
import { isRiskctlError } from '../../errors.js'
import type { EventLog } from '../../log/port.js'
import { createDetector, type DetectorProcessor } from '../../processors/detector.js'
import type { Processor } from '../../processors/processor.js'
import { createRouter, type Router } from '../../processors/router.js'
import { supervisedIndexer } from '../audit-index/audit-indexer.js'
import { openEventLog } from '../open-log.js'
import { REPORT_EVERY_MS, type ChildMessage, type ParentMessage, type ProcessReport, type ProcessSpec } from './processor-protocol.js'

function send(message: ChildMessage): void {
  // A channel that broke before 'disconnect' was seen (the parent killed mid-write) answers here, not as a crash.
  if (process.connected) process.send?.(message, undefined, undefined, (error) => error && stop.abort())
}

function build(spec: ProcessSpec, log: EventLog): { processor: Processor; report: () => ProcessReport } {
  const connectivity = () => processor.connectivity ?? { state: 'connected' as const, lastError: undefined, reconnects: 0 }
  let processor: Processor
  switch (spec.kind) {
    case 'router': {
      const router: Router = createRouter(log, {
        ...(spec.duplicateHorizonMs === undefined ? {} : { duplicateHorizonMs: spec.duplicateHorizonMs }),
        ...(spec.limits === undefined ? {} : { limits: spec.limits }),
      })
      processor = router
      return {
        processor,
        report: () => ({
          ready: router.stats.ready,
          connectivity: connectivity(),
          router: { ...router.stats, activeKills: router.killState.activeKills().map((state) => state.scope) },
        }),
      }
    }
    case 'detector': {
      if (spec.detectorSettings === undefined) throw new Error('a detector process needs its settings')
      const detector: DetectorProcessor = createDetector(log, { settings: spec.detectorSettings })
      processor = detector
      return { processor, report: () => ({ ready: detector.stats.ready, connectivity: connectivity(), detector: { ...detector.stats } }) }
    }
    case 'audit-indexer': {
      const indexer = supervisedIndexer(log, spec.backend.dataDir)
      processor = indexer
      return { processor, report: () => ({ ready: true, connectivity: connectivity(), indexed: indexer.indexed }) }
    }
  }
}

async function serve(spec: ProcessSpec, messages: AsyncIterable<ParentMessage>, stop: AbortController): Promise<void> {
  // The router decides its next batch while the last one is written: on the embedded log, on a thread of its own.
  const log = await openEventLog({ backend: spec.backend, env: spec.env, debug: spec.debug }, { writerThread: spec.kind === 'router' })
  const { processor, report } = build(spec, log)
  const timer = setInterval(() => send({ type: 'report', report: report() }), REPORT_EVERY_MS)
  void (async () => {
    for await (const message of messages) {
      if (message.type === 'stop') stop.abort()
      else if (message.type === 'states' && 'killState' in processor) {
        send({ type: 'states', id: message.id, states: (processor as Router).killState.all() })
      }
    }
  })()
  try {
    await processor.run(stop.signal)
  } finally {
    clearInterval(timer)
    send({ type: 'report', report: report() })
    await log.close()
  }
}

function parentMessages(): { first: Promise<ParentMessage>; rest: AsyncIterable<ParentMessage> } {
  const queue: ParentMessage[] = []
  let wake: (() => void) | undefined
  let resolveFirst: (message: ParentMessage) => void = () => undefined
  const first = new Promise<ParentMessage>((resolve) => (resolveFirst = resolve))
  let seenFirst = false
  let closed = false
  process.on('message', (message: ParentMessage) => {
    if (!seenFirst) {
      seenFirst = true
      resolveFirst(message)
      return
    }
    queue.push(message)
    wake?.()
  })
  process.on('disconnect', () => {
    closed = true
    wake?.()
  })
  return {
    first,
    rest: {
      async *[Symbol.asyncIterator]() {
        while (!closed || queue.length > 0) {
          const next = queue.shift()
          if (next !== undefined) yield next
          else await new Promise<void>((resolve) => (wake = resolve))
        }
      },
    },
  }
}

/** How long a stop may take before the process ends anyway: every write is atomic with its commit, so nothing is lost. */
const STOP_DEADLINE_MS = 10_000

const stop = new AbortController()
stop.signal.addEventListener('abort', () => {
  // A processor deep in a backlog must not outlive the `up` that started it.
  // eslint-disable-next-line no-restricted-properties -- the entry of its own process: nothing above it decides how it ends
  setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref()
})
// Ctrl+C reaches the whole process group: the parent decides the order of the stop, so a child waits to be told.
process.on('SIGINT', () => undefined)
process.on('SIGTERM', () => stop.abort())
// The parent gone (even kill -9'd): nobody would read the figures or restart this one, so stop cleanly.
process.on('disconnect', () => stop.abort())
const { first, rest } = parentMessages()
const start = await first
try {
  if (start.type !== 'start') throw new Error(`expected a start message, got ${start.type}`)
  await serve(start.spec, rest, stop)
} catch (error) {
  send({
    type: 'failed',
    message: error instanceof Error ? error.message : String(error),
    code: isRiskctlError(error) ? error.code : undefined,
    // A broker that refuses this processor's user is exit 4 for `up` too, not an unexpected failure.
    exitCode: isRiskctlError(error) ? error.exitCode : undefined,
  })
  process.exitCode = 1
} finally {
  process.removeAllListeners('message')
  if (process.connected) process.disconnect()
}
