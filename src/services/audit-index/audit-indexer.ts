import type { EventLog } from '../../log/port.js'
import { AUDIT } from '../../../topologies/topics.js'
import type { Processor } from '../../processors/processor.js'
import type { AuditIndex } from './audit-index.js'

/** Keeps the audit index current while `riskctl up` runs, so `riskctl audit` has little to catch up. */
export class AuditIndexer implements Processor {
  readonly name = 'audit-indexer'
  indexed = 0

  constructor(
    private readonly log: EventLog,
    private readonly index: AuditIndex,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const consumer = await this.log.consumer({ topics: [AUDIT], from: { type: 'offsets', offsets: this.index.positions() } })
    try {
      while (!signal.aborted) {
        const batch = await consumer.poll({ maxRecords: 5000, maxWaitMs: 200 })
        if (batch.length > 0) this.indexed += this.index.add(batch, consumer.positions())
      }
    } finally {
      await consumer.close()
      this.index.close()
    }
  }
}
