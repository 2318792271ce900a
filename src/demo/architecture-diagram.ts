/** The loop, drawn for a terminal (Part 1 and the README show the same picture). */
export const ARCHITECTURE_DIAGRAM = [
  'generator ──orders.v1──► router ──orders.gated.v1──► (market)',
  '     │                     │  ▲                  └──audit.v1 (one record per order, every decision)',
  '     │                     │  └── killswitch.state.v1 (compacted: latest status per scope)',
  '     └──orders.v1──► detector ──risk_signals.v1',
  '                           └──killswitch.commands.v1──► aggregator ──► killswitch.state.v1',
  'operator (riskctl kill/unkill, console HTTP API) ──killswitch.commands.v1',
].join('\n')
