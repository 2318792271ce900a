import type { KillState } from '../domain/kill-status.js'
import { generateOrders } from '../services/generate.js'
import { readKillStates } from '../services/state.js'
import { queryAudit } from '../services/audit.js'
import { describeTopic } from '../services/describe-topic.js'
import { requestKillSwitch } from '../services/kill-switch.js'
import { requestViaConsole } from '../services/operator-client.js'
import { answerViaConsole } from '../services/approvals.js'
import { DEMO_APPROVER } from './demo-session.js'
import { localOrigin } from '../processors/operator-trail.js'
import { readTopicValues } from './read-topic.js'
import { ARCHITECTURE_DIAGRAM } from './architecture-diagram.js'
import type { DemoContext, DemoPart, DemoVariant } from './demo-context.js'
import type { KillCommand } from '../domain/kill-command.js'
import { KILL_COMMANDS } from '../../topologies/topics.js'
import { pretradeChecks } from './pretrade-part.js'
import { explainOrder } from '../services/explain.js'
import { renderExplanation } from '../render/explanation.js'
import { loadDetectorTopology } from '../config/detector-topology.js'
import { Chalk } from 'chalk'

/** The presenters style their own lines: what the demo shows is plain text. */
const PLAIN = new Chalk({ level: 0 })

export const PANIC_ACCOUNT = '12345'
const KILL_WAIT_SECONDS = 20

const REMEDIES_NO_KILL = [
  'Check the detector runs: the status line of `riskctl up` counts orders in, and `riskctl tail risk_signals.v1` should move.',
  'Check the thresholds in topologies/detector.json (orderCount 100 per 60 s by default).',
  'Raise the panic rate: riskctl generate --mode panic --account 12345 --rate 100 --duration 30',
]

const REMEDIES_NO_ORDERS = [
  'Check the generator: riskctl generate --mode normal --duration 30 prints a summary with the orders it sent.',
  'Check the router: `riskctl up` must be running (its status line counts orders in).',
  'Check the topics exist: riskctl topics create',
]

async function waitForState(
  context: DemoContext,
  scope: string,
  status: KillState['status'],
  seconds: number,
): Promise<KillState | undefined> {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline && !context.signal.aborted) {
    const state = (await readKillStates(context.log)).find((s) => s.scope === scope)
    if (state?.status === status) return state
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return undefined
}

function startNormalFlow(context: DemoContext, rate = 5): void {
  context.background('normal', (signal) =>
    generateOrders(context.log, { mode: 'normal', ratePerSecond: rate, durationSeconds: 3600, seed: 7, signal }),
  )
}

const architecture: DemoPart = {
  id: 'architecture',
  title: 'Part 1 · Architecture',
  minutes: 2,
  async run(c) {
    c.emit({ type: 'say', text: 'A broker must be able to stop a runaway algorithm at once, from one place, and prove afterwards what happened to every order.' })
    c.emit({ type: 'show', text: ARCHITECTURE_DIAGRAM })
    c.emit({ type: 'say', text: 'Three roles, kept apart: detection (the detector), control (the aggregator, single writer of the kill state), enforcement (the router).' })
    c.emit({ type: 'say', text: 'They talk only through topics. The state topic is compacted: the latest status per scope is the single source of truth; the commands topic keeps the whole history.' })
    c.emit({ type: 'say', text: 'Every order gets exactly one audit record. That is what SEC Rule 15c3-5 asks for: pre-trade controls under the firm\'s direct and exclusive control, and a trail.' })
    await c.pause(20_000)
  },
}

const normal: DemoPart = {
  id: 'normal',
  title: 'Part 2 · Normal operation',
  minutes: 2,
  async run(c) {
    c.emit({ type: 'command', line: `${c.cli} generate --mode normal --rate 5 --duration 600` })
    startNormalFlow(c)
    c.emit({ type: 'say', text: 'Orders flow at 5 per second from twenty accounts, over eight symbols and four strategies.' })
    c.emit({ type: 'command', line: `${c.cli} tail orders.v1 risk_signals.v1` })
    await c.pause(8_000, 2_000)
    const audits = await queryAudit(c.log, c.dataDir, { limit: 5 })
    if (audits.length === 0) {
      c.emit({ type: 'problem', text: 'No order has been routed yet.', remedies: REMEDIES_NO_ORDERS })
      return
    }
    c.emit({ type: 'ok', text: `The router is allowing orders through: the last ${audits.length} decisions are ${[...new Set(audits.map((a) => a.decision))].join(', ')}.` })
    c.emit({ type: 'say', text: 'The detector keeps a sliding 60-second window per account: order rate, notional, and the share of the top symbol. All are under their thresholds: no alerts.' })
    await c.pause(20_000)
  },
}

const panic: DemoPart = {
  id: 'panic',
  title: 'Part 3 · A runaway algorithm',
  minutes: 3,
  async run(c) {
    // The short variant starts here: the other accounts' flow must still be there to compare with.
    startNormalFlow(c)
    c.emit({ type: 'say', text: 'Account 12345 suddenly sends 50 orders a second: a runaway algorithm, like Knight Capital\'s in 2012.' })
    c.emit({ type: 'command', line: `${c.cli} generate --mode panic --account ${PANIC_ACCOUNT} --rate 50 --duration 120` })
    c.background('panic', (signal) =>
      generateOrders(c.log, {
        mode: 'panic',
        account: PANIC_ACCOUNT,
        ratePerSecond: 50,
        durationSeconds: c.seconds(120, 6),
        seed: 12_345,
        signal,
      }),
    )
    c.emit({ type: 'say', text: 'Watch risk_signals.v1: order_rate_60s climbs past 100. The detector asks for one KILL for this breach episode.' })
    const killed = await waitForState(c, `ACCOUNT:${PANIC_ACCOUNT}`, 'KILLED', KILL_WAIT_SECONDS)
    if (!killed) {
      if (!c.signal.aborted) {
        c.emit({ type: 'problem', text: `No KILL for ACCOUNT:${PANIC_ACCOUNT} after ${KILL_WAIT_SECONDS} s.`, remedies: REMEDIES_NO_KILL })
      }
      return
    }
    const commands = await readTopicValues<KillCommand>(c.log, KILL_COMMANDS)
    const kill = commands.find((cmd) => cmd.corr_id === killed.corr_id)
    c.emit({ type: 'command', line: `${c.cli} tail killswitch.commands.v1 --from beginning` })
    if (kill) c.emit({ type: 'show', text: JSON.stringify(kill, null, 2) })
    c.emit({ type: 'ok', text: `KILL for ACCOUNT:${PANIC_ACCOUNT}: ${killed.reason}` })
    c.emit({ type: 'say', text: 'The scope is ACCOUNT:12345, so only this account is affected. The command carries its reason, the metric, and a corr_id the audit trail will repeat.' })
    await c.pause(20_000)
  },
}

const enforcement: DemoPart = {
  id: 'enforcement',
  title: 'Part 4 · Enforcement',
  minutes: 2,
  async run(c) {
    c.emit({ type: 'command', line: `${c.cli} state` })
    const states = await readKillStates(c.log)
    c.emit({
      type: 'show',
      text: states.length === 0 ? '(no scope killed yet)' : states.map((s) => `${s.scope}  ${s.status}  ${s.reason}  by ${s.updated_by}`).join('\n'),
    })
    c.emit({ type: 'say', text: 'The aggregator turned the command into the authoritative state, on the compacted topic every router reads before it routes.' })
    await c.pause(5_000)
    c.emit({ type: 'command', line: `${c.cli} audit --account ${PANIC_ACCOUNT} --decision DROP --limit 3` })
    const drops = await queryAudit(c.log, c.dataDir, { account: PANIC_ACCOUNT, decision: 'DROP', limit: 3 })
    if (drops.length === 0) {
      c.emit({ type: 'problem', text: `No DROP audited for ${PANIC_ACCOUNT} yet.`, remedies: REMEDIES_NO_KILL })
      return
    }
    c.emit({ type: 'show', text: drops.map((a) => `${a.decision}  ${a.order_id}  ${a.reason}  corr_id ${a.corr_id}`).join('\n') })
    const others = await queryAudit(c.log, c.dataDir, { decision: 'ALLOW', limit: 200 })
    const otherAccounts = new Set(others.filter((a) => a.account_id !== PANIC_ACCOUNT).map((a) => a.account_id))
    c.emit({ type: 'ok', text: `Orders of ${PANIC_ACCOUNT} are dropped; ${otherAccounts.size} other accounts keep trading.` })
    c.emit({ type: 'say', text: 'Every decision is audited with the corr_id of the state that made it. Follow one dropped order back to the breach that stopped it:' })
    const dropped = drops[0]!.order_id
    c.emit({ type: 'command', line: `${c.cli} explain ${dropped}` })
    const explanation = await explainOrder(c.log, c.dataDir, { orderId: dropped, topology: { path: 'topologies/detector.json', settings: loadDetectorTopology() } })
    c.emit({ type: 'show', text: renderExplanation(explanation, PLAIN, false) })
    c.emit({ type: 'say', text: 'The order, its decision, the state that decided it, the command behind that state, the detector\'s breach, and the first order the kill stopped: each with where it lies on the log, and the time between them.' })
    await c.pause(20_000)
  },
}

const recovery: DemoPart = {
  id: 'recovery',
  title: 'Part 5 · Manual recovery',
  minutes: 2,
  async run(c) {
    await c.stopBackground('panic')
    c.emit({ type: 'say', text: 'The runaway is stopped and investigated. Only an operator may restore access: the detector can ask to KILL, never to UNKILL.' })
    c.emit({
      type: 'command',
      line: `curl -X POST ${c.consoleUrl}/unkill -H "Authorization: Bearer $RISKCTL_OPERATOR_TOKEN" -H "Content-Type: application/json" -d '{"scope":"ACCOUNT:${PANIC_ACCOUNT}","reason":"Manual override after investigation"}'`,
    })
    c.emit({ type: 'command', line: `${c.cli} unkill ACCOUNT:${PANIC_ACCOUNT} --reason "Manual override after investigation" --api ${c.consoleUrl}` })
    const asked = await requestViaConsole(
      // The operator is who the token authenticates: the demo's own supervisor, or the console's when attached.
      { scope: `ACCOUNT:${PANIC_ACCOUNT}`, action: 'UNKILL', reason: 'Manual override after investigation' },
      { apiUrl: c.consoleUrl, token: c.token, wait: true },
    )
    const outcome = asked.outcome === 'pending' ? await secondPairOfEyes(c, asked.request_id) : asked
    if (outcome === undefined) return
    if (outcome.outcome !== 'confirmed') {
      c.emit({ type: 'show', text: `ACCOUNT:${PANIC_ACCOUNT} was not killed: nothing to restore.` })
      return
    }
    c.emit({ type: 'ok', text: `ACCOUNT:${PANIC_ACCOUNT} is ACTIVE again (by ${outcome.state.updated_by}, corr_id ${outcome.state.corr_id}).` })
    c.emit({ type: 'command', line: `${c.cli} generate --mode normal --account ${PANIC_ACCOUNT} --rate 2 --duration 10` })
    await generateOrders(c.log, {
      mode: 'normal',
      account: PANIC_ACCOUNT,
      ratePerSecond: 2,
      durationSeconds: c.seconds(10, 3),
      seed: 54_321,
      signal: c.signal,
    })
    await c.pause(1_000)
    c.emit({ type: 'command', line: `${c.cli} audit --corr-id ${outcome.state.corr_id}` })
    const resumed = await queryAudit(c.log, c.dataDir, { corrId: outcome.state.corr_id, limit: 5 })
    // The aggregator's APPLIED for the unkill shares its corr_id; the point here is the orders after it.
    if (!resumed.some((a) => a.service === 'router')) {
      c.emit({ type: 'problem', text: `No order of ${PANIC_ACCOUNT} was routed after the unkill yet.`, remedies: REMEDIES_NO_ORDERS })
      return
    }
    c.emit({ type: 'show', text: resumed.map((a) => `${a.decision}  ${a.order_id}  corr_id ${a.corr_id}`).join('\n') })
    c.emit({ type: 'ok', text: 'Orders of 12345 are ALLOWed again. The corr_ids link kill → drops → unkill → allows.' })
    await c.pause(20_000)
  },
}

/**
 * Four eyes (the long variant): the UNKILL is held until a second supervisor approves it. The demo's second
 * supervisor does, through the console; attached to processors elsewhere, the class is told who must.
 */
async function secondPairOfEyes(c: DemoContext, requestId: string): Promise<{ outcome: 'confirmed'; state: KillState } | undefined> {
  c.emit({ type: 'say', text: 'Four eyes: the UNKILL is held as a request. A second, different supervisor must approve it; the one who asked cannot.' })
  c.emit({ type: 'command', line: `${c.cli} approvals list --api ${c.consoleUrl}` })
  const short = requestId.slice(0, 8)
  if (c.approverToken === undefined) {
    c.emit({ type: 'problem', text: `ACCOUNT:${PANIC_ACCOUNT}'s UNKILL waits for a second supervisor.`, remedies: [`${c.cli} approve ${short} --reason "..." --api ${c.consoleUrl}`] })
    return undefined
  }
  c.emit({ type: 'command', line: `RISKCTL_OPERATOR_TOKEN=<${DEMO_APPROVER}'s token> ${c.cli} approve ${short} --reason "Fix verified with the desk" --api ${c.consoleUrl}` })
  const answered = await answerViaConsole(
    { id: requestId, action: 'APPROVE', reason: 'Fix verified with the desk' },
    { apiUrl: c.consoleUrl, token: c.approverToken, wait: true, signal: c.signal },
  )
  if (answered.outcome !== 'approved') return undefined
  c.emit({ type: 'ok', text: `Approved by ${answered.request.decided_by ?? DEMO_APPROVER}: asked, approved and applied under one corr_id ${answered.request.corr_id}.` })
  return { outcome: 'confirmed', state: answered.state }
}

const compaction: DemoPart = {
  id: 'compaction',
  title: 'Part 6 · Compaction: history vs latest state',
  minutes: 1,
  async run(c) {
    await c.pause(500)
    c.emit({ type: 'command', line: `${c.cli} describe-topic killswitch.state.v1` })
    const state = await describeTopic(c.log, 'killswitch.state.v1')
    const policy = state.configs.find((config) => config.name === 'cleanup.policy')
    c.emit({ type: 'show', text: `cleanup.policy=${policy?.value ?? '?'} (${policy?.source ?? '?'}) · ${state.records} records · ${state.distinctKeys} distinct keys` })
    c.emit({ type: 'command', line: `${c.cli} describe-topic killswitch.commands.v1` })
    const commands = await readTopicValues<KillCommand>(c.log, KILL_COMMANDS)
    c.emit({
      type: 'show',
      text: [
        'Commands topic (all history):',
        ...commands.map((cmd) => `  ${cmd.scope} -> ${cmd.action}  (${new Date(cmd.ts).toISOString().slice(11, 19)}, ${cmd.triggered_by})`),
        'State topic (compacted, latest only):',
        ...(await readKillStates(c.log)).map((s) => `  ${s.scope} -> ${s.status}`),
      ].join('\n'),
    })
    c.emit({ type: 'say', text: 'A new router reads the compacted state to its end before it routes anything (fail closed), then follows it.' })
    await c.pause(15_000)
  },
}

const longExtras: DemoPart = {
  id: 'beyond',
  title: 'Part 7 · Symbols, several accounts, throttling, audit queries',
  minutes: 8,
  async run(c) {
    c.emit({ type: 'say', text: 'A SYMBOL kill stops one ticker for every account: here, a trading halt on TSLA.' })
    c.emit({ type: 'command', line: `${c.cli} kill SYMBOL:TSLA --reason "Trading halt pending news"` })
    const symbol = await requestKillSwitch(
      c.log,
      { scope: 'SYMBOL:TSLA', action: 'KILL', reason: 'Trading halt pending news', operator: c.operator },
      { wait: true, signal: c.signal, origin: localOrigin('cli') },
    )
    if (symbol.outcome === 'confirmed') c.emit({ type: 'ok', text: 'SYMBOL:TSLA is KILLED: every account\'s TSLA orders are dropped, the rest flow.' })
    await c.pause(30_000)

    c.emit({ type: 'say', text: 'Two algorithms run away at once: two accounts, two KILLs, each for its own episode.' })
    for (const account of ['23456', '34567']) {
      c.emit({ type: 'command', line: `${c.cli} generate --mode panic --account ${account} --rate 50 --duration 30` })
      c.background(`panic-${account}`, (signal) =>
        generateOrders(c.log, { mode: 'panic', account, ratePerSecond: 50, durationSeconds: c.seconds(30, 6), seed: Number(account), signal }),
      )
    }
    const both = await Promise.all(['23456', '34567'].map((account) => waitForState(c, `ACCOUNT:${account}`, 'KILLED', KILL_WAIT_SECONDS)))
    if (both.every((state) => state !== undefined)) c.emit({ type: 'ok', text: 'ACCOUNT:23456 and ACCOUNT:34567 are both KILLED.' })
    else if (!c.signal.aborted) c.emit({ type: 'problem', text: 'Not both accounts were killed in time.', remedies: REMEDIES_NO_KILL })
    await c.pause(30_000)

    c.emit({ type: 'say', text: 'A throttle is gentler than a kill: the account may send a few orders a second, the rest are dropped with the reason.' })
    c.emit({ type: 'command', line: `${c.cli} throttle ACCOUNT:10001 --max-orders-per-sec 1 --reason "Slow down while we look"` })
    await requestKillSwitch(
      c.log,
      { scope: 'ACCOUNT:10001', action: 'THROTTLE', reason: 'Slow down while we look', operator: c.operator, maxOrdersPerSec: 1 },
      { wait: true, signal: c.signal, origin: localOrigin('cli') },
    )
    await generateOrders(c.log, { mode: 'normal', account: '10001', ratePerSecond: 5, durationSeconds: c.seconds(10, 3), seed: 10_001, signal: c.signal })
    await c.pause(1_000)
    const throttled = await queryAudit(c.log, c.dataDir, { account: '10001', limit: 10 })
    c.emit({ type: 'show', text: throttled.map((a) => `${a.decision}  ${a.reason}`).join('\n') })
    await c.pause(30_000)

    c.emit({ type: 'say', text: 'The audit index answers the questions a regulator asks, the way the seed queried DynamoDB.' })
    c.emit({ type: 'command', line: `${c.cli} audit --decision DROP --since 10m --limit 5` })
    const recent = await queryAudit(c.log, c.dataDir, { decision: 'DROP', since: '10m', limit: 5 })
    c.emit({ type: 'show', text: recent.map((a) => `${a.account_id}  ${a.symbol}  ${a.reason}`).join('\n') || '(none)' })
    await c.pause(30_000)
  },
}

const takeaways: DemoPart = {
  id: 'takeaways',
  title: 'Key takeaways',
  minutes: 1,
  async run(c) {
    for (const line of [
      'Real-time detection: sliding 60 s windows catch a runaway within milliseconds of the breaching order.',
      'Centralised control: one writer of the kill state, on a compacted topic: the single source of truth.',
      'Consistent enforcement: every order checked against it, every decision audited with a corr_id.',
      'Direct and exclusive control (SEC Rule 15c3-5): only an operator restores access, and the trail shows who.',
      'Knight Capital had no such switch and lost $440M in 45 minutes.',
    ]) {
      c.emit({ type: 'say', text: line })
    }
    await c.pause(10_000)
  },
}

export function walkthrough(variant: DemoVariant): DemoPart[] {
  switch (variant) {
    case 'short':
      return [panic, enforcement, recovery, takeaways]
    case 'standard':
      return [architecture, normal, panic, enforcement, recovery, compaction, takeaways]
    case 'long':
      // The pre-trade checks come after the whole kill story: the kill switch is the last line, they are the ones before it.
      return [architecture, normal, panic, enforcement, recovery, compaction, longExtras, pretradeChecks, takeaways]
  }
}
