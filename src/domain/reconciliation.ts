import type { AuditDecision } from './audit-record.js'
import type { KillStatus } from './kill-status.js'

/** An order on orders.v1: `at` is its `partition:offset`; no id when the record is no order (it must be dead-lettered). */
export interface OrderRow {
  readonly at: string
  readonly partition: number
  readonly offset: number
  readonly order_id: string | undefined
  /** The log's time for it. */
  readonly ts: number
  /** What the order is, as its contract reads it; undefined when the record is no order. */
  readonly facts?: OrderFacts | undefined
}

/** What a decision and a forward must agree with the order on. */
export interface OrderFacts {
  readonly account_id: string
  readonly symbol: string
  readonly strategy: string
  readonly side: string
  readonly qty: number
  readonly price: number
}

/** A router decision on audit.v1: `at` is where it lies there, `order_offset` where its order lies on orders.v1. */
export interface DecisionRow {
  readonly at: string
  readonly order_offset: string | undefined
  readonly order_id: string
  readonly decision: AuditDecision
  readonly check: string | null | undefined
  readonly account_id: string
  readonly symbol: string
  readonly strategy: string
  readonly scope_matches: readonly string[]
  readonly ts: number
}

/** A dead letter of an orders.v1 record: `source` is the `partition:offset` of the record it stands for. */
export interface LetterRow {
  readonly at: string
  readonly source: string
}

/** A record of orders.gated.v1, and the order_id of the order it forwards (none when it is no order). */
export interface GatedRow {
  readonly at: string
  readonly order_id: string | undefined
  readonly ts: number
  readonly facts?: OrderFacts | undefined
}

/** A scope's kill-switch status as the aggregator applied it (its APPLIED audit), on the aggregator's clock. */
export interface ScopeChange {
  readonly scope: string
  readonly status: KillStatus
  readonly ts: number
}

/** A record of a topic that could not be read as its contract says. */
export interface DamagedRow {
  readonly topic: string
  readonly at: string
  readonly error: string
}

export interface ReconcileInput {
  /** Orders in the period, in offset order per partition. */
  readonly orders: readonly OrderRow[]
  /**
   * The orders found at the positions that decisions made in the period name outside it (orders appended before the
   * period and decided in it). A position named but absent here holds no order.
   */
  readonly elsewhere: readonly OrderRow[]
  /** Router decisions from before the period's start on (a decision comes after its order, maybe long after). */
  readonly decisions: readonly DecisionRow[]
  readonly letters: readonly LetterRow[]
  /** orders.gated.v1 from the period's start on. */
  readonly gated: readonly GatedRow[]
  /** Every kill-switch change the aggregator applied, any time before the period's end. */
  readonly changes: readonly ScopeChange[]
  /** The router group's committed position per orders.v1 partition: orders from there on may be still undecided. */
  readonly committed: ReadonlyMap<number, number>
  readonly damaged: readonly DamagedRow[]
  /** The period: a forward made outside it (by its time, the decision's) is judged with its own period. */
  readonly fromMs: number
  readonly toMs: number
  /** How long a router may take to see a state it is sent: an ALLOW later than this after a KILL is a break. */
  readonly graceMs: number
  /** An order still undecided this long after it was appended is a break: no router is deciding it. */
  readonly stallMs: number
  readonly nowMs: number
}

export type BreakKind =
  | 'UNDECIDED'
  | 'NOT_DECIDED_IN_TIME'
  | 'DECIDED_TWICE'
  | 'DECIDED_AND_DEAD_LETTERED'
  | 'DEAD_LETTERED_TWICE'
  | 'DECISION_WITHOUT_ORDER'
  | 'DECISION_NOT_OF_ORDER'
  | 'DEAD_LETTER_OF_AN_ORDER'
  | 'GATED_NOT_AS_ORDERED'
  | 'ALLOW_NOT_GATED'
  | 'GATED_NOT_ALLOWED'
  | 'GATED_TWICE'
  | 'ALLOW_AFTER_KILL'
  | 'DAMAGED_RECORD'

export interface Break {
  readonly kind: BreakKind
  readonly order_id: string | undefined
  /** Where on the log: `topic partition:offset`. */
  readonly at: string
  readonly detail: string
}

export interface Reconciliation {
  readonly balanced: boolean
  readonly orders: number
  readonly decided: number
  readonly dead_lettered: number
  /**
   * Orders past the router's committed position with no decision yet: the router has yet to reach them. Those older
   * than the stall bound are also a break (NOT_DECIDED_IN_TIME), one per partition.
   */
  readonly pending: number
  readonly gated: number
  readonly by_decision: Readonly<Record<string, number>>
  readonly by_check: Readonly<Record<string, number>>
  /** Orders dropped under each scope's kill-switch state (KILLED or THROTTLED), most first. */
  readonly by_scope: readonly { readonly scope: string; readonly dropped: number }[]
  readonly breaks: readonly Break[]
}

/** A router's clock may be this far ahead of this machine's. */
const FUTURE_SLACK_MS = 5 * 60_000
const ORDERS = 'orders.v1'
const AUDIT = 'audit.v1'
const GATED = 'orders.gated.v1'
const DLQ = 'dlq.v1'

/**
 * Balances a period of the log: every order has exactly one router decision or one dead letter; orders.gated.v1
 * holds exactly the ALLOWs; no order is let through once its scope's KILL has had time to reach the router; every
 * record reads as its contract says. What does not balance is a break, named by order_id and position.
 */
export function reconcile(given: ReconcileInput): Reconciliation {
  // A decision stamped in the future was not written by a router's clock: it is damaged, and counts for nothing.
  const future = given.decisions.filter((decision) => decision.ts > given.nowMs + FUTURE_SLACK_MS)
  const input =
    future.length === 0
      ? given
      : {
          ...given,
          decisions: given.decisions.filter((decision) => decision.ts <= given.nowMs + FUTURE_SLACK_MS),
        }
  const breaks: Break[] = input.damaged.map((row) => ({
    kind: 'DAMAGED_RECORD' as const,
    order_id: undefined,
    at: `${row.topic} ${row.at}`,
    detail: row.error,
  }))
  for (const decision of future) {
    breaks.push({
      kind: 'DAMAGED_RECORD',
      order_id: decision.order_id,
      at: `${AUDIT} ${decision.at}`,
      detail: `a ${decision.decision} stamped ${new Date(decision.ts).toISOString()}, in the future`,
    })
  }
  const inPeriod = new Map(input.orders.map((order) => [order.at, order]))
  const decisionsAt = matchDecisions(input, inPeriod, breaks)
  const lettersAt = new Map<string, LetterRow[]>()
  for (const letter of input.letters) if (inPeriod.has(letter.source)) push(lettersAt, letter.source, letter)

  let decided = 0
  let deadLettered = 0
  let pending = 0
  const byDecision: Record<string, number> = {}
  const byCheck: Record<string, number> = {}
  const byScope = new Map<string, number>()
  const allowed: DecisionRow[] = []
  const stalled = new Map<number, { count: number; first: OrderRow }>()
  for (const order of input.orders) {
    const decisions = decisionsAt.get(order.at) ?? []
    const letters = lettersAt.get(order.at) ?? []
    const id = order.order_id
    if (decisions.length > 1)
      breaks.push({
        kind: 'DECIDED_TWICE',
        order_id: id,
        at: `${ORDERS} ${order.at}`,
        detail: `${decisions.length} decisions: ${decisions.map((d) => `${d.decision} at ${AUDIT} ${d.at}`).join(', ')}`,
      })
    if (letters.length > 1)
      breaks.push({
        kind: 'DEAD_LETTERED_TWICE',
        order_id: id,
        at: `${ORDERS} ${order.at}`,
        detail: `${letters.length} dead letters: ${letters.map((l) => `${DLQ} ${l.at}`).join(', ')}`,
      })
    if (decisions.length > 0 && letters.length > 0)
      breaks.push({
        kind: 'DECIDED_AND_DEAD_LETTERED',
        order_id: id,
        at: `${ORDERS} ${order.at}`,
        detail: `decided at ${AUDIT} ${decisions[0]!.at} and dead-lettered at ${DLQ} ${letters[0]!.at}`,
      })
    if (decisions.length === 0 && letters.length === 0) {
      if (order.offset >= (input.committed.get(order.partition) ?? 0)) {
        pending += 1
        if (order.ts < input.nowMs - input.stallMs) {
          const seen = stalled.get(order.partition)
          stalled.set(order.partition, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? order })
        }
      } else
        breaks.push({
          kind: 'UNDECIDED',
          order_id: id,
          at: `${ORDERS} ${order.at}`,
          detail: `no decision on ${AUDIT} and no dead letter, though the router's committed position (${input.committed.get(order.partition)}) is past it`,
        })
      continue
    }
    if (letters.length > 0 && decisions.length === 0) {
      deadLettered += 1
      // Only what is no order is dead-lettered: a letter standing for a valid order hides an order nobody decided.
      if (order.facts !== undefined) {
        breaks.push({
          kind: 'DEAD_LETTER_OF_AN_ORDER',
          order_id: id,
          at: `${ORDERS} ${order.at}`,
          detail: `dead-lettered at ${DLQ} ${letters[0]!.at}, but the record is a valid order: nobody decided it`,
        })
      }
      continue
    }
    decided += 1
    const named = decisions[0]!
    // The order's own account, symbol and strategy, not the ones its decision names, say which kills govern it.
    const decision =
      order.facts === undefined
        ? named
        : {
            ...named,
            account_id: order.facts.account_id,
            symbol: order.facts.symbol,
            strategy: order.facts.strategy,
          }
    if (order.facts !== undefined && !sameParties(named, order.facts)) {
      breaks.push({
        kind: 'DECISION_NOT_OF_ORDER',
        order_id: id,
        at: `${AUDIT} ${named.at}`,
        detail: `the decision names ${named.account_id}/${named.symbol}/${named.strategy}; the order at ${ORDERS} ${order.at} is of ${order.facts.account_id}/${order.facts.symbol}/${order.facts.strategy}`,
      })
    }
    byDecision[decision.decision] = (byDecision[decision.decision] ?? 0) + 1
    if (decision.check !== null && decision.check !== undefined)
      byCheck[decision.check] = (byCheck[decision.check] ?? 0) + 1
    if (decision.decision === 'DROP' && (decision.check === 'KILL_SWITCH' || decision.check === 'THROTTLE')) {
      for (const scope of decision.scope_matches) byScope.set(scope, (byScope.get(scope) ?? 0) + 1)
    }
    if (decision.decision === 'ALLOW') allowed.push(decision)
  }
  for (const [partition, { count, first }] of stalled) {
    const committed = input.committed.get(partition)
    breaks.push({
      kind: 'NOT_DECIDED_IN_TIME',
      order_id: first.order_id,
      at: `${ORDERS} ${first.at}`,
      detail: `${count} order(s) of partition ${partition} from offset ${first.offset} are undecided over ${input.stallMs / 1000} s after they were appended (the router's committed position: ${committed ?? 'none'}): is a router running?`,
    })
  }

  const gatedCount = judgeGated(input, allowed, breaks)
  judgeForwardedAsOrdered(input, decisionsAt, breaks)
  judgeKills(input.changes, allowed, input.graceMs, breaks)
  return {
    balanced: breaks.length === 0,
    orders: input.orders.length,
    decided,
    dead_lettered: deadLettered,
    pending,
    gated: gatedCount,
    by_decision: byDecision,
    by_check: byCheck,
    by_scope: [...byScope]
      .map(([scope, dropped]) => ({ scope, dropped }))
      .sort((a, b) => b.dropped - a.dropped || a.scope.localeCompare(b.scope)),
    breaks,
  }
}

/**
 * Each decision to the order it names by position (or, for one written before positions were recorded, to the first
 * order of the period with its order_id that has none yet). A decision made in the period that names no order (a
 * position that holds none, or another order) is a break, as is one naming a position inside the period's span.
 */
function matchDecisions(
  input: ReconcileInput,
  inPeriod: ReadonlyMap<string, OrderRow>,
  breaks: Break[],
): Map<string, DecisionRow[]> {
  const byPosition = new Map<string, DecisionRow[]>()
  const bounds = partitionBounds(input.orders)
  const elsewhere = new Map(input.elsewhere.map((order) => [order.at, order]))
  const madeInPeriod = (decision: DecisionRow) => decision.ts >= input.fromMs && decision.ts <= input.toMs
  const unplaced: DecisionRow[] = []
  for (const decision of input.decisions) {
    if (decision.order_offset === undefined) {
      unplaced.push(decision)
      continue
    }
    if (inPeriod.has(decision.order_offset)) {
      push(byPosition, decision.order_offset, decision)
      continue
    }
    const [partition, offset] = decision.order_offset.split(':').map(Number) as [number, number]
    const bound = bounds.get(partition)
    const insideSpan = bound !== undefined && offset > bound.first && offset < bound.last
    if (!insideSpan && !madeInPeriod(decision)) continue
    const there = elsewhere.get(decision.order_offset)
    if (!insideSpan && there?.order_id === decision.order_id) continue
    const what = insideSpan
      ? 'where the period holds no order'
      : there === undefined
        ? 'where the log holds no order'
        : there.order_id === undefined
          ? 'where the record is no order'
          : `where the order is ${there.order_id}`
    breaks.push({
      kind: 'DECISION_WITHOUT_ORDER',
      order_id: decision.order_id,
      at: `${AUDIT} ${decision.at}`,
      detail: `${decision.decision} of an order at ${ORDERS} ${decision.order_offset}, ${what}`,
    })
  }
  if (unplaced.length > 0) {
    const byId = new Map<string, OrderRow[]>()
    for (const order of input.orders) if (order.order_id !== undefined) push(byId, order.order_id, order)
    // Oldest first: the first copy of an order_id took its decision, each later copy a DUPLICATE.
    for (const decision of unplaced) {
      const order = byId.get(decision.order_id)?.find((candidate) => !byPosition.has(candidate.at))
      if (order !== undefined) push(byPosition, order.at, decision)
      else if (madeInPeriod(decision)) {
        breaks.push({
          kind: 'DECISION_WITHOUT_ORDER',
          order_id: decision.order_id,
          at: `${AUDIT} ${decision.at}`,
          detail: `${decision.decision} that names no position on ${ORDERS}, and no order of the period has its order_id`,
        })
      }
    }
  }
  return byPosition
}

function sameParties(decision: DecisionRow, facts: OrderFacts): boolean {
  return (
    decision.account_id === facts.account_id &&
    decision.symbol === facts.symbol &&
    decision.strategy === facts.strategy
  )
}

function sameOrder(a: OrderFacts, b: OrderFacts): boolean {
  return (
    a.account_id === b.account_id &&
    a.symbol === b.symbol &&
    a.strategy === b.strategy &&
    a.side === b.side &&
    a.qty === b.qty &&
    a.price === b.price
  )
}

function partitionBounds(orders: readonly OrderRow[]): Map<number, { first: number; last: number }> {
  const bounds = new Map<number, { first: number; last: number }>()
  for (const order of orders) {
    const bound = bounds.get(order.partition)
    if (bound === undefined) bounds.set(order.partition, { first: order.offset, last: order.offset })
    else
      bounds.set(order.partition, {
        first: Math.min(bound.first, order.offset),
        last: Math.max(bound.last, order.offset),
      })
  }
  return bounds
}

/**
 * orders.gated.v1 holds exactly the ALLOWs: as many forwards of an order_id as it has ALLOWs (an order_id may come
 * back after the router's memory of it has passed), judged for the ALLOWs of the period's orders and for the forwards
 * made in the period, against every ALLOW and forward read (from before the period on).
 */
function judgeGated(input: ReconcileInput, allowed: readonly DecisionRow[], breaks: Break[]): number {
  const allows = new Map<string, DecisionRow[]>()
  for (const decision of input.decisions)
    if (decision.decision === 'ALLOW') push(allows, decision.order_id, decision)
  const forwards = new Map<string, GatedRow[]>()
  for (const row of input.gated) if (row.order_id !== undefined) push(forwards, row.order_id, row)
  const inPeriod = (row: GatedRow) => row.ts >= input.fromMs && row.ts <= input.toMs
  let count = 0
  const judged = new Set<string>()
  for (const decision of allowed) {
    if (judged.has(decision.order_id)) continue
    judged.add(decision.order_id)
    const all = allows.get(decision.order_id) ?? [decision]
    const sent = forwards.get(decision.order_id) ?? []
    count += Math.min(sent.length, allowed.filter((d) => d.order_id === decision.order_id).length)
    for (const missing of all.slice(sent.length)) {
      breaks.push({
        kind: 'ALLOW_NOT_GATED',
        order_id: missing.order_id,
        at: `${AUDIT} ${missing.at}`,
        detail: `ALLOWed, but not on ${GATED} (${sent.length} forward(s) for ${all.length} ALLOW(s))`,
      })
    }
  }
  const seen = new Set<string>()
  for (const row of input.gated) {
    if (!inPeriod(row)) continue
    if (row.order_id === undefined) {
      breaks.push({
        kind: 'GATED_NOT_ALLOWED',
        order_id: undefined,
        at: `${GATED} ${row.at}`,
        detail: 'a record that is no order was forwarded',
      })
      continue
    }
    if (seen.has(row.order_id)) continue
    seen.add(row.order_id)
    const all = allows.get(row.order_id) ?? []
    const sent = forwards.get(row.order_id)!
    if (all.length === 0) {
      for (const extra of sent.filter(inPeriod)) {
        breaks.push({
          kind: 'GATED_NOT_ALLOWED',
          order_id: extra.order_id,
          at: `${GATED} ${extra.at}`,
          detail: `forwarded, but no ALLOW of ${extra.order_id} is on ${AUDIT}`,
        })
      }
    } else if (sent.length > all.length) {
      breaks.push({
        kind: 'GATED_TWICE',
        order_id: row.order_id,
        at: `${GATED} ${sent[all.length]!.at}`,
        detail: `forwarded ${sent.length} times (${sent.map((r) => r.at).join(', ')}) for ${all.length} ALLOW(s)`,
      })
    }
  }
  return count
}

/**
 * A forward carries the order as it arrived: one whose account, symbol, side, qty or price differ from every ALLOWed
 * order of its order_id in the period is not what was let through.
 */
function judgeForwardedAsOrdered(
  input: ReconcileInput,
  decisionsAt: ReadonlyMap<string, DecisionRow[]>,
  breaks: Break[],
): void {
  const ordersAt = new Map(input.orders.map((order) => [order.at, order]))
  const allowedFacts = new Map<string, OrderFacts[]>()
  for (const [at, decisions] of decisionsAt) {
    const facts = ordersAt.get(at)?.facts
    if (facts !== undefined && decisions[0]?.decision === 'ALLOW')
      push(allowedFacts, decisions[0].order_id, facts)
  }
  const allowCount = new Map<string, number>()
  for (const decision of input.decisions)
    if (decision.decision === 'ALLOW')
      allowCount.set(decision.order_id, (allowCount.get(decision.order_id) ?? 0) + 1)
  for (const row of input.gated) {
    if (row.order_id === undefined || row.facts === undefined || row.ts < input.fromMs || row.ts > input.toMs)
      continue
    const facts = allowedFacts.get(row.order_id)
    // Judged only where every ALLOW of the order_id is of an order of the period: the others' orders were not read.
    if (facts === undefined || facts.length !== allowCount.get(row.order_id)) continue
    if (!facts.some((fact) => sameOrder(fact, row.facts!))) {
      breaks.push({
        kind: 'GATED_NOT_AS_ORDERED',
        order_id: row.order_id,
        at: `${GATED} ${row.at}`,
        detail: `forwarded as ${row.facts.side} ${row.facts.qty} ${row.facts.symbol} @ ${row.facts.price} for ${row.facts.account_id}, which is not the order that was ALLOWed`,
      })
    }
  }
}

/** No ALLOW of an order of a KILLED scope once the KILL has had `graceMs` to reach the router. */
function judgeKills(
  changes: readonly ScopeChange[],
  allowed: Iterable<DecisionRow>,
  graceMs: number,
  breaks: Break[],
): void {
  const history = new Map<string, ScopeChange[]>()
  for (const change of changes) push(history, change.scope, change)
  for (const list of history.values()) list.sort((a, b) => a.ts - b.ts)
  for (const decision of allowed) {
    const scopes = [
      'GLOBAL',
      `ACCOUNT:${decision.account_id}`,
      `SYMBOL:${decision.symbol}`,
      `STRATEGY:${decision.strategy}`,
    ]
    for (const scope of scopes) {
      const kill = statusAt(history.get(scope), decision.ts - graceMs)
      if (kill?.status !== 'KILLED') continue
      // An UNKILL applied since then (inside the grace) may be what the router had already seen.
      if (
        history
          .get(scope)!
          .some((change) => change.ts > kill.ts && change.ts <= decision.ts && change.status !== 'KILLED')
      )
        continue
      breaks.push({
        kind: 'ALLOW_AFTER_KILL',
        order_id: decision.order_id,
        at: `${AUDIT} ${decision.at}`,
        detail: `ALLOWed at ${new Date(decision.ts).toISOString()}, ${decision.ts - kill.ts} ms after ${scope} was KILLED (${new Date(kill.ts).toISOString()})`,
      })
      break
    }
  }
}

/** The last change of a scope at or before `ms`. */
function statusAt(changes: readonly ScopeChange[] | undefined, ms: number): ScopeChange | undefined {
  let last: ScopeChange | undefined
  for (const change of changes ?? []) {
    if (change.ts > ms) break
    last = change
  }
  return last
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}
