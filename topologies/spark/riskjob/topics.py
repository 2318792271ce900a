"""Topic names, as declared in topologies/topics.ts (a vitest test keeps the two in step)."""

ORDERS = "orders.v1"
RISK_SIGNALS = "risk_signals.v1"
KILL_COMMANDS = "killswitch.commands.v1"
KILL_STATE = "killswitch.state.v1"
