import type { BackendConfig } from '../../config/resolve-config.js'
import type { ExitCode } from '../../errors.js'
import type { DetectorSettings } from '../../domain/detector-settings.js'
import type { LimitsTopology } from '../../config/limits-topology.js'
import type { KillState } from '../../domain/kill-status.js'
import type { Connectivity } from '../../processors/connectivity.js'
import type { DetectorStats } from '../../processors/detector.js'
import type { RouterStats } from '../../processors/router.js'

/** The processors `riskctl up` runs each in a process of its own, off the console's event loop. */
export const PROCESS_KINDS = ['router', 'detector', 'audit-indexer'] as const
export type ProcessKind = (typeof PROCESS_KINDS)[number]

/** Everything a processor process needs, sent over its IPC channel: never on a command line, where secrets would show. */
export interface ProcessSpec {
  readonly kind: ProcessKind
  readonly backend: BackendConfig
  /** The environment the command started with: the Kafka adapter takes TLS and SASL settings from it. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly debug: boolean
  readonly duplicateHorizonMs?: number | undefined
  readonly detectorSettings?: DetectorSettings | undefined
  /** The router's limits, as `up` read and checked them (default: topologies/limits.json). */
  readonly limits?: LimitsTopology | undefined
}

/** What a processor process reports, every REPORT_EVERY_MS and once more as it stops. */
export interface ProcessReport {
  readonly ready: boolean
  readonly connectivity: Connectivity
  readonly router?: RouterStats & { readonly activeKills: readonly string[] }
  readonly detector?: DetectorStats
  readonly indexed?: number
}

export type ParentMessage =
  | { readonly type: 'start'; readonly spec: ProcessSpec }
  /** Stop cleanly: finish the batch in hand, commit, close the log. */
  | { readonly type: 'stop' }
  /** The router's whole kill state, for the console's GET /state. */
  | { readonly type: 'states'; readonly id: number }

export type ChildMessage =
  | { readonly type: 'report'; readonly report: ProcessReport }
  | { readonly type: 'states'; readonly id: number; readonly states: readonly KillState[] }
  /** It failed in a way a restart from the group's commit does not cure (a bad topic, a second owner of the group). */
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined; readonly exitCode?: ExitCode | undefined }

export const REPORT_EVERY_MS = 100
