import type { KillCommand } from '../domain/kill-command.js'
import type { DetectorSettings } from '../domain/detector-settings.js'
import type { EventLog } from '../log/port.js'
import { type DetectorStats, createDetector } from '../processors/detector.js'

export interface InprocessDetectorOptions {
  readonly log: EventLog
  readonly settings: DetectorSettings
  readonly signal: AbortSignal
  readonly onKill: (command: KillCommand) => void
}

/** The same detection as the Spark engine, in this process, on whichever log is configured. */
export async function runInprocessDetector(options: InprocessDetectorOptions): Promise<DetectorStats> {
  const processor = createDetector(options.log, { settings: options.settings, onKill: options.onKill })
  await processor.run(options.signal)
  return processor.stats
}
