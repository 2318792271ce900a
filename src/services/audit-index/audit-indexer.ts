import type { EventLog } from '../../log/port.js'
import { AUDIT } from '../../../topologies/topics.js'
import { newConnectivity } from '../../processors/connectivity.js'
import type { Processor } from '../../processors/processor.js'
import { supervise } from '../../processors/supervise.js'
import { AuditIndex } from './audit-index.js'

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

/** The audit indexer, reopened with its index after the log comes back (its run closes the index). */
export function supervisedIndexer(log: EventLog, dataDir: string): Processor & { readonly indexed: number } {
  const connectivity = newConnectivity()
  let indexed = 0
  let current: AuditIndexer | undefined
  return {
    name: 'audit-indexer',
    connectivity,
    get indexed() {
      return indexed + (current?.indexed ?? 0)
    },
    run: (signal) =>
      supervise(
        async (attempt) => {
          if (current) indexed += current.indexed
          current = new AuditIndexer(log, AuditIndex.open(dataDir, log.description))
          connectivity.state = 'connected'
          await current.run(attempt)
        },
        signal,
        { connectivity },
      ),
  }
}
