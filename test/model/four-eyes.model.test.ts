import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ApprovalRecord, ApprovalStatus } from '../../src/domain/approval.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import { APPROVALS, KILL_STATE } from '../../topologies/topics.js'
import { TopologyTestDriver } from '../helpers/topology-test-driver.js'

/**
 * Four-eyes unkill against a reference model: random KILLs (the detector's and operators'), UNKILL requests by
 * several people under several identities, approvals and rejections by anyone (the asker too, late ones, replays),
 * clock steps past the expiry, and aggregator restarts. Invariants after every step: each scope's status and each
 * request's status are the model's, so a scope leaves KILLED only through a request a second person approved in time
 * that is newer than the kill it undoes.
 */
const RUNS = Number(process.env.RISKCTL_MODEL_RUNS ?? 12) * 10
const SEED = process.env.RISKCTL_MODEL_SEED === undefined ? 20261207 : Number(process.env.RISKCTL_MODEL_SEED)
const T0 = Date.UTC(2026, 11, 7, 15, 0, 0)
const TIMEOUT_MS = 60_000
const SCOPES = ['ACCOUNT:1', 'ACCOUNT:2', 'SYMBOL:AAPL'] as const
/** Two people, each under the identities they may act with. */
const PEOPLE = [
  ['sue', 'local:sue', 'SUE', 'sasl:sue'],
  ['bob', 'local:bob', 'Bob'],
] as const
/** Identities that name no person the log authenticated: never an approver. */
const NOBODY = ['console', 'unverified:bob'] as const

type Step =
  | { readonly type: 'kill'; readonly scope: number; readonly detector: boolean }
  | { readonly type: 'unkill'; readonly scope: number; readonly person: number; readonly alias: number }
  | { readonly type: 'answer'; readonly request: number; readonly approve: boolean; readonly person: number; readonly alias: number; readonly replay: boolean }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'restart' }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ type: fc.constant('kill' as const), scope: fc.nat(SCOPES.length - 1), detector: fc.boolean() }),
  fc.record({ type: fc.constant('unkill' as const), scope: fc.nat(SCOPES.length - 1), person: fc.nat(1), alias: fc.nat(5) }),
  fc.record({ type: fc.constant('answer' as const), request: fc.nat(8), approve: fc.boolean(), person: fc.nat(1), alias: fc.nat(5), replay: fc.boolean() }),
  fc.record({ type: fc.constant('advance' as const), ms: fc.constantFrom(1, 1000, 30_000, TIMEOUT_MS + 1) }),
  fc.constant({ type: 'restart' as const }),
)

interface ModelRequest {
  readonly id: string
  readonly scope: string
  readonly person: number
  readonly ts: number
  readonly heldAt: number
  /** The scope's last_cmd_id when held: an approval applies only to that same state. */
  readonly stateCmd: string | undefined
  status: ApprovalStatus
}

class Model {
  readonly states = new Map<string, { status: 'KILLED' | 'ACTIVE'; updatedTs: number; lastCmd: string }>()
  readonly requests: ModelRequest[] = []

  expire(now: number): void {
    for (const request of this.requests) if (request.status === 'PENDING' && now > request.heldAt + TIMEOUT_MS) request.status = 'EXPIRED'
  }
}

function identity(person: number, alias: number): string {
  if (alias >= 4) return NOBODY[alias - 4]!
  const names = PEOPLE[person]!
  return names[alias % names.length]!
}

describe('four-eyes unkill against a reference model', () => {
  it(`holds its invariants over random runs (seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'], fourEyes: { unkill: true, timeoutMs: TIMEOUT_MS } })
        const model = new Model()
        let ids = 0
        const sent: { id: string; command: unknown }[] = []
        for (const s of steps) {
          const now = driver.now
          switch (s.type) {
            case 'kill': {
              const scope = SCOPES[s.scope]!
              ids += 1
              const kill: KillCommand = {
                cmd_id: `k-${ids}`,
                ts: now,
                scope,
                action: 'KILL',
                reason: 'model',
                triggered_by: s.detector ? 'detector' : 'operator',
                ...(s.detector ? {} : { operator: 'local:carol' }),
                corr_id: `kc-${ids}`,
              }
              driver.send(kill)
              model.states.set(scope, { status: 'KILLED', updatedTs: now, lastCmd: kill.cmd_id })
              // A KILL cancels every request held to lift that scope.
              for (const request of model.requests) if (request.scope === scope && request.status === 'PENDING') request.status = 'CANCELLED'
              break
            }
            case 'unkill': {
              const scope = SCOPES[s.scope]!
              ids += 1
              const unkill: KillCommand = {
                cmd_id: `u-${ids}`,
                ts: now,
                scope,
                action: 'UNKILL',
                reason: 'model',
                triggered_by: 'operator',
                operator: identity(s.person, s.alias),
                corr_id: `uc-${ids}`,
              }
              driver.send(unkill)
              // An UNKILL of a KILLED scope is held, if a named person asks; of one never killed or ACTIVE it loosens
              // nothing, and applies.
              const state = model.states.get(scope)
              if (state?.status === 'KILLED' && s.alias >= 4) break
              if (state?.status === 'KILLED') {
                model.requests.push({ id: unkill.cmd_id, scope, person: s.person, ts: now, heldAt: now, stateCmd: state.lastCmd, status: 'PENDING' })
              } else {
                model.states.set(scope, { status: 'ACTIVE', updatedTs: now, lastCmd: unkill.cmd_id })
              }
              break
            }
            case 'answer': {
              const request = model.requests[s.request % Math.max(1, model.requests.length)]
              if (request === undefined) break
              const replayOf = s.replay ? sent.find((a) => (a.command as { request_id: string }).request_id === request.id) : undefined
              ids += 1
              const command = replayOf?.command ?? {
                cmd_id: `a-${ids}`,
                ts: now,
                action: s.approve ? 'APPROVE' : 'REJECT',
                request_id: request.id,
                scope: request.scope,
                reason: 'model',
                triggered_by: 'operator',
                operator: identity(s.person, s.alias),
                corr_id: 'whatever',
              }
              const approve = (command as { action: string }).action === 'APPROVE'
              const operator = (command as { operator: string }).operator
              const person = PEOPLE.findIndex((names) => (names as readonly string[]).includes(operator))
              driver.send(command as never)
              if (replayOf === undefined) sent.push({ id: `a-${ids}`, command })
              // The model: only a fresh answer to a held request, in time, and an approval only by another person.
              if (replayOf !== undefined || request.status !== 'PENDING') break
              if (approve && (person === request.person || person === -1)) break
              if (now > request.heldAt + TIMEOUT_MS) {
                request.status = 'EXPIRED'
                break
              }
              const state = model.states.get(request.scope)
              if (approve && state?.lastCmd !== request.stateCmd) {
                request.status = 'CANCELLED'
                break
              }
              request.status = approve ? 'APPROVED' : 'REJECTED'
              if (approve) model.states.set(request.scope, { status: 'ACTIVE', updatedTs: request.ts, lastCmd: request.id })
              break
            }
            case 'advance':
              driver.advance(s.ms)
              model.expire(driver.now)
              break
            case 'restart':
              driver.restart('aggregator')
              break
          }
          // Invariants: the state and the requests are the model's.
          for (const scope of SCOPES) {
            const record = driver.latest(KILL_STATE).get(scope)
            const status = record?.value ? (JSON.parse(record.value.toString()) as { status: string }).status : undefined
            expect(status, `${scope} after ${JSON.stringify(s)}`).toBe(model.states.get(scope)?.status)
          }
          const approvals = driver.latest(APPROVALS)
          for (const request of model.requests) {
            const record = approvals.get(request.id)
            const held = record?.value ? (JSON.parse(record.value.toString()) as ApprovalRecord) : undefined
            expect(held?.status, `request ${request.id} after ${JSON.stringify(s)}`).toBe(request.status)
          }
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
  })
})
