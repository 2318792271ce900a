import { describe, expect, it } from 'vitest'
import type { EventLog, TopicBatch } from '../../../src/log/port.js'
import { AGGREGATOR_OUTPUTS } from '../../../src/processors/aggregator.js'
import { createKillRequester, DETECTOR_OUTPUTS } from '../../../src/processors/kill-requester.js'
import { createTopicWriter, readerOf } from '../../../src/processors/log-access.js'
import { ROUTER_OUTPUTS } from '../../../src/processors/router.js'
import { KILL_COMMANDS, KILL_STATE } from '../../../topologies/topics.js'

/** Records what reaches the log's write; nothing else of the log is used here. */
function recordingLog(): { log: EventLog; writes: TopicBatch[][] } {
  const writes: TopicBatch[][] = []
  const log = { description: 'recording', write: async (batches: TopicBatch[]) => (writes.push(batches), []) }
  return { log: log as unknown as EventLog, writes }
}

describe('each processor is handed only what it may do', () => {
  it("the router's writer cannot name killswitch.state.v1, in the types or at run time", () => {
    const writer = createTopicWriter(recordingLog().log, ROUTER_OUTPUTS)
    // @ts-expect-error the router's writer has no state topic
    expect(() => writer.write({ [KILL_STATE]: [] })).toThrow(/may not append to killswitch.state.v1/)
  })

  it('only the aggregator writes the state topic', () => {
    expect(AGGREGATOR_OUTPUTS).toContain(KILL_STATE)
    expect(ROUTER_OUTPUTS).not.toContain(KILL_STATE)
    expect(DETECTOR_OUTPUTS).not.toContain(KILL_STATE)
  })

  it('a reader has no way to write', () => {
    const reader = readerOf(recordingLog().log)
    expect(Object.keys(reader).sort()).toEqual(['committedOffsets', 'consumer', 'description', 'readCompacted'])
  })

  it("the detector's requester writes KILL whatever a request carries", async () => {
    const { log, writes } = recordingLog()
    const requester = createKillRequester(createTopicWriter(log, DETECTOR_OUTPUTS), () => 'id')
    const request = { scope: 'ACCOUNT:1', reason: 'r', metric: 'order_count' as const, value: 1, ts: 1 }
    // @ts-expect-error a KillRequest has no action to set
    const kills = await requester.requestKills([{ ...request, action: 'UNKILL' } satisfies typeof request], [], { groupId: 'g', offsets: [] })
    expect(kills.map((k) => k.action)).toEqual(['KILL'])
    const written = writes[0]!.find((batch) => batch.topic === KILL_COMMANDS)!.records
    expect(JSON.parse(written[0]!.value!.toString())).toMatchObject({ action: 'KILL', triggered_by: 'detector' })
  })
})
