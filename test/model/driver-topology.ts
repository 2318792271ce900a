import type { CompactedView, LogRecord, ProduceRecord, RecordMetadata, TopicBatch } from '../../src/log/port.js'
import { TopologyTestDriver } from '../helpers/topology-test-driver.js'
import type { DetectorSettings } from '../../src/domain/detector-settings.js'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import type { ProcessorName, TopologyUnderTest } from './loop.js'

/**
 * The model's topology on the TopologyTestDriver: the processors' own pure steps over an in-memory log, run to
 * quiescence after every produce, on a clock that follows the wall clock (as the model's timestamps do). The same
 * scenarios and invariants as on the real loop, without I/O: so many more runs fit in the same time.
 */
export class DriverTopology implements TopologyUnderTest {
  private readonly driver: TopologyTestDriver
  readonly log: TopologyUnderTest['log']

  constructor(settings: DetectorSettings, limits: LimitsTopology) {
    this.driver = new TopologyTestDriver({ startMs: Date.now(), detectorSettings: settings, limits })
    this.log = {
      produce: async (topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]> => {
        this.driver.advanceTo(Date.now())
        return this.driver.pipeRecords(topic, records)
      },
      write: async (batches: readonly TopicBatch[]): Promise<RecordMetadata[]> => {
        this.driver.advanceTo(Date.now())
        return this.driver.pipeTogether(batches)
      },
      readCompacted: async (topic: string): Promise<CompactedView> => ({ records: this.driver.latest(topic), endOffsets: [] }),
    }
  }

  async restart(name: ProcessorName): Promise<void> {
    this.driver.advanceTo(Date.now())
    this.driver.restart(name)
  }

  /** Every step has run to quiescence already; the clock moves on, as the loop's would while it waits. */
  async settle(): Promise<void> {
    this.driver.advanceTo(Date.now())
  }

  async waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
    if (!(await check())) throw new Error(`the driver has settled without ${what}`)
  }

  async readAll(topic: string): Promise<LogRecord[]> {
    return [...this.driver.records(topic)]
  }

  async close(): Promise<void> {}
}
