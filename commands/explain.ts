import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderExplanation } from '../src/render/explanation.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../src/config/detector-topology.js'
import type { OrderExplanation } from '../src/domain/order-explanation.js'
import { explainOrder } from '../src/services/explain.js'

export default class Explain extends BaseCommand<typeof Explain, OrderExplanation> {
  static override summary =
    'Explain one order: its decision and the whole chain of evidence behind it, with the time between each link.'
  static override description =
    "Follows one order through the log: the order on orders.v1 (partition, offset, its ts and the log's), its audit decision (the check or the scope, and the reason), the killswitch.state.v1 record that decided it, the command that made that state (cmd_id, who or which rule, when), for a detector's kill the rule, value, threshold and window that breached, and the first order that state dropped, with the durations breach → command → state → first DROP → this order. A timeline, oldest first (--newest-first for the reverse); --json gives the same as one document. What the log no longer holds (compacted or past retention) is said, never guessed. Exits 5 when no decision of the order is in the audit trail."
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> explain ord-1f9ee8ce',
    '<%= config.bin %> explain ord-1f9ee8ce --newest-first',
    '<%= config.bin %> explain ord-1f9ee8ce --json',
  ]
  static override args = {
    order_id: Args.string({
      description: 'The order_id, as the client sent it (it is matched in its canonical form)',
      required: true,
    }),
  }
  static override flags = {
    'newest-first': Flags.boolean({ description: 'The newest evidence first', default: false }),
    topology: Flags.string({
      description: 'Detector topology file the thresholds are read from (default: topologies/detector.json)',
    }),
  }

  async run(): Promise<OrderExplanation> {
    const path = this.flags.topology ?? DEFAULT_DETECTOR_TOPOLOGY_PATH
    return explainOrder(await this.openLog(), this.settings.backend.dataDir, {
      orderId: this.args.order_id,
      topology: {
        path: this.flags.topology ?? 'topologies/detector.json',
        settings: loadDetectorTopology(path),
      },
    })
  }

  protected override render(explanation: OrderExplanation): void {
    this.out.line(renderExplanation(explanation, this.out.style, this.flags['newest-first']))
  }
}
