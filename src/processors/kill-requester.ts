import type { KillRequest } from '../domain/detector.js'
import { killCommandFromRequest } from '../domain/detector.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { RiskSignal } from '../domain/risk-signal.js'
import type { GroupCommit } from '../log/port.js'
import { KILL_COMMANDS, RISK_SIGNALS } from '../../topologies/topics.js'
import type { TopicWriter } from './log-access.js'
import { encode } from './topic-codec.js'

export const DETECTOR_OUTPUTS = [RISK_SIGNALS, KILL_COMMANDS] as const
export type DetectorOutputTopic = (typeof DETECTOR_OUTPUTS)[number]

/**
 * All the detector may write: risk signals, and KILL commands made from KillRequests, which have no action field.
 * It cannot write a state record, an UNKILL or a THROTTLE, because nothing it is given can express one.
 */
export interface KillRequester {
  prepare(commit: GroupCommit): Promise<void>
  /** The KILLs asked for, the signals and the group's position in one atomic write: a KILL is asked for once. */
  requestKills(kills: readonly KillRequest[], signals: readonly RiskSignal[], commit: GroupCommit): Promise<KillCommand[]>
}

export function createKillRequester(writer: TopicWriter<DetectorOutputTopic>, newId: () => string): KillRequester {
  return {
    prepare: (commit) => writer.prepare(commit),
    requestKills: async (requests, signals, commit) => {
      const kills = requests.map((request) => killCommandFromRequest(request, { cmdId: newId(), corrId: newId() }))
      await writer.write(
        {
          [RISK_SIGNALS]: signals.map((signal) => encode(RISK_SIGNALS, signal, { timestamp: signal.ts })),
          [KILL_COMMANDS]: kills.map((kill) => encode(KILL_COMMANDS, kill, { timestamp: kill.ts })),
        },
        commit,
      )
      return kills
    },
  }
}
