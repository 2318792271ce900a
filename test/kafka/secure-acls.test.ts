import kafkajs from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isRiskctlError } from '../../src/errors.js'
import type { EventLog, GroupCommit } from '../../src/log/port.js'
import { AGGREGATOR_GROUP, DETECTOR_GROUP, readerGroupPrefix, ROUTER_GROUP } from '../../topologies/groups.js'
import {
  GENERATOR_GRANT,
  OPERATOR_GRANTS,
  PROCESSOR_GRANTS,
  PROCESSOR_PRINCIPALS,
  SECURE_USERS,
  type KafkaGrant,
} from '../../topologies/kafka-grants.js'
import {
  APPROVALS,
  AUDIT,
  KILL_COMMANDS,
  KILL_STATE,
  OPERATOR_ACTIONS,
  ORDERS_GATED,
  RISK_LIMITS,
  RISK_SIGNALS,
  TOPIC_NAMES,
} from '../../topologies/topics.js'
import { runCli } from '../helpers/cli.js'
import { brokerLogMark, denials, openLogAs, PASSWORDS, resetSecureTopics, secureEnvAs, SECURE_BROKERS, userNamed } from './secure-support.js'

/** Each user of the secure broker with the grant topologies/kafka-grants.ts gives it. */
const GRANTS: readonly (readonly [string, KafkaGrant])[] = [
  ...PROCESSOR_PRINCIPALS.map((p) => [SECURE_USERS.processors[p], PROCESSOR_GRANTS[p]] as const),
  [SECURE_USERS.generator, GENERATOR_GRANT],
  ...Object.entries(SECURE_USERS.operators).map(([name, role]) => [name, OPERATOR_GRANTS[role]] as const),
]

/** How a call ended: 'ok', or the riskctl error code it failed with, and how long it took. */
async function outcome(work: () => Promise<unknown>): Promise<{ result: string; ms: number; message: string }> {
  const started = Date.now()
  try {
    await work()
    return { result: 'ok', ms: Date.now() - started, message: '' }
  } catch (error) {
    if (!isRiskctlError(error)) throw error
    return { result: error.code, ms: Date.now() - started, message: error.message }
  }
}

const probe = (user: string) => [{ key: `acl-probe-${user}`, value: Buffer.from(JSON.stringify({ probe: user })) }]

/** Reads a topic from its start until a record comes: the admin put one on every topic. */
async function readOne(log: EventLog, topic: string): Promise<void> {
  const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
  try {
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) if ((await consumer.poll({ maxRecords: 10, maxWaitMs: 200 })).length > 0) return
    throw new Error(`nothing read from ${topic}`)
  } finally {
    await consumer.close()
  }
}

describe('least privilege on a secure broker (KAFKA_SECURE=1): each user may do what it is granted and nothing else', { timeout: 600_000 }, () => {
  const logs = new Map<string, EventLog>()
  const as = async (user: string) => {
    const open = logs.get(user) ?? (await openLogAs(user))
    logs.set(user, open)
    return open
  }

  beforeAll(async () => {
    await resetSecureTopics()
    const admin = await as('admin')
    for (const topic of TOPIC_NAMES) await admin.produce(topic, probe('admin'))
  }, 180_000)
  afterAll(async () => {
    for (const log of logs.values()) await log.close()
  })

  it.each(GRANTS)('%s writes and reads exactly the topics it is granted, and is refused the others at once', async (user, grant) => {
    // Given the user's own connection, when it writes to and reads every riskctl topic…
    const log = await as(user)
    const tried = await Promise.all(
      TOPIC_NAMES.map(async (topic) => ({
        topic,
        write: await outcome(() => log.produce(topic, probe(user))),
        read: await outcome(() => readOne(log, topic)),
      })),
    )
    // …then what its grant names works, and everything else is refused by the broker as not authorised (exit 4), not
    // a missing topic, and within seconds rather than after a hang.
    for (const { topic, write, read } of tried) {
      expect(write.result, `${user} writes ${topic}: ${write.message}`).toBe(grant.write.includes(topic) ? 'ok' : 'RISKCTL_NOT_AUTHORISED')
      expect(read.result, `${user} reads ${topic}: ${read.message}`).toBe(grant.read.includes(topic) ? 'ok' : 'RISKCTL_NOT_AUTHORISED')
      expect(Math.max(write.ms, read.ms), `${user} on ${topic}`).toBeLessThan(15_000)
      if (write.result !== 'ok') expect(write.message).toContain(`does not let ${user} write to ${topic}`)
    }
  })

  it('the detector may ask for KILLs and publish signals, but not write the state, limits, approvals, audit, gated orders or trail', async () => {
    const log = await as('detector')
    const mark = brokerLogMark()
    expect((await outcome(() => log.produce(KILL_COMMANDS, probe('detector')))).result).toBe('ok')
    expect((await outcome(() => log.produce(RISK_SIGNALS, probe('detector')))).result).toBe('ok')
    for (const topic of [KILL_STATE, RISK_LIMITS, APPROVALS, AUDIT, ORDERS_GATED, OPERATOR_ACTIONS]) {
      // In a transaction with its group's commit too, as the detector writes: refused all the same.
      const commit: GroupCommit = { groupId: DETECTOR_GROUP, offsets: [] }
      expect((await outcome(() => log.write([{ topic, records: probe('detector') }], commit))).result, topic).toBe('RISKCTL_NOT_AUTHORISED')
    }
    // The broker itself refused it, by its ACLs.
    expect(denials(mark())).toContainEqual(expect.stringMatching(/User:detector is Denied operation = WRITE .* Topic:LITERAL:killswitch\.state\.v1/))
  })

  it('the router may not write commands, the state or the limits; carol may write nothing at all', async () => {
    const router = await as(SECURE_USERS.processors.router)
    for (const topic of [KILL_COMMANDS, KILL_STATE, RISK_LIMITS]) {
      const commit: GroupCommit = { groupId: ROUTER_GROUP, offsets: [] }
      expect((await outcome(() => router.write([{ topic, records: probe('router') }], commit))).result, topic).toBe('RISKCTL_NOT_AUTHORISED')
    }
    const carol = await as('carol')
    const refused = await outcome(() => carol.produce(KILL_COMMANDS, probe('carol')))
    expect(refused.result).toBe('RISKCTL_NOT_AUTHORISED')
    expect(refused.message).toContain('does not let carol write to killswitch.commands.v1')
  })

  it("each processor commits in its own group with its own transactional ids, and cannot take another's (no fencing)", async () => {
    const mark = brokerLogMark()
    const owners = [
      ['router', ROUTER_GROUP, AUDIT],
      ['detector', DETECTOR_GROUP, KILL_COMMANDS],
      ['aggregator', AGGREGATOR_GROUP, KILL_STATE],
    ] as const
    for (const [user, group, topic] of owners) {
      const log = await as(user)
      expect(await log.committedOffsets(group, topic), user).toEqual([])
      const own = await outcome(() => log.write([{ topic, records: probe(user) }], { groupId: group, offsets: [] }))
      expect(own.result, `${user} in ${group}: ${own.message}`).toBe('ok')
      for (const [, other] of owners.filter(([, g]) => g !== group)) {
        // The write any of them could make, under another's group: its transactional id would fence the owner's.
        const taken = await outcome(() => log.write([{ topic, records: probe(user) }], { groupId: other, offsets: [] }))
        expect(taken.result, `${user} in ${other}`).not.toBe('ok')
        expect((await outcome(() => log.committedOffsets(other, topic))).result, `${user} reads ${other}'s commits`).not.toBe('ok')
      }
    }
    const denied = denials(mark())
    expect(denied).toContainEqual(expect.stringMatching(/User:detector is Denied operation = DESCRIBE .* TransactionalId:LITERAL:riskctl-tx-riskctl-router-/))
    expect(denied).toContainEqual(expect.stringMatching(/User:router is Denied operation = DESCRIBE .* Group:LITERAL:riskctl-aggregator/))
  })

  it("a user's throwaway readers use groups of its own name, which no other user may join", async () => {
    const alice = await as('alice')
    const carol = await as('carol')
    expect(await alice.committedOffsets(`${readerGroupPrefix('alice')}probe`, KILL_STATE)).toEqual([])
    expect((await outcome(() => carol.committedOffsets(`${readerGroupPrefix('alice')}probe`, KILL_STATE))).result).not.toBe('ok')
  })

  it('the controller listener lets no one in but the broker itself: not anonymously, not with a user\'s SCRAM password', async () => {
    const [host, port] = SECURE_BROKERS[0]!.split(':')
    const controller = `${host}:${Number(port) + 1}`
    const attempt = async (sasl?: kafkajs.SASLOptions) => {
      const admin = new kafkajs.Kafka({
        brokers: [controller],
        logLevel: kafkajs.logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 3000,
        ...(sasl === undefined ? {} : { sasl }),
      }).admin()
      try {
        await admin.connect()
        return await admin.listTopics()
      } finally {
        await admin.disconnect()
      }
    }
    // The listener is there and checks who signs in (PLAIN, the admin only)…
    await expect(attempt({ mechanism: 'plain', username: 'admin', password: 'a-guess' })).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' })
    // …and a client that does not sign in is turned away, not served.
    await expect(attempt()).rejects.not.toMatchObject({ code: 'ECONNREFUSED' })
    // Even the admin's own password, by SCRAM: the controller takes PLAIN only, from its static JAAS user.
    await expect(attempt({ mechanism: 'scram-sha-512', ...userNamed('admin') })).rejects.toMatchObject({ type: 'UNSUPPORTED_SASL_MECHANISM' })
  })

  it('through the CLI: a wrong password or an unknown user is exit 4 and says so; a refused write is exit 4; no password is shown', async () => {
    // Given alice's name with a wrong password, and a user the broker does not know…
    const wrong = { ...secureEnvAs('alice'), RISKCTL_KAFKA_SASL_PASSWORD: 'not-her-password' }
    const unknown = { ...secureEnvAs('alice'), RISKCTL_KAFKA_SASL_USERNAME: 'mallory' }
    for (const [who, env] of [['alice', wrong], ['mallory', unknown]] as const) {
      // …when each runs a command, then the broker's refusal is the answer, at once and with exit 4.
      const result = await runCli(['state', '--json'], { env, timeoutMs: 30_000 })
      expect(result.exitCode, result.stderr).toBe(4)
      const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string } }
      expect(error.code).toBe('RISKCTL_KAFKA_AUTH_FAILED')
      expect(error.message).toContain(`rejected the SASL credentials of ${who}`)
      expect(error.message).toContain(SECURE_BROKERS.join(','))
      const human = await runCli(['state'], { env, timeoutMs: 30_000 })
      expect(human.exitCode).toBe(4)
      expect(human.stderr).toContain('Try this:')
    }
    // And carol, who may read the state but write nothing, asking for a KILL on the direct path.
    const refused = await runCli(['kill', 'ACCOUNT:acl', '--reason', 'viewer tries', '--json'], { env: secureEnvAs('carol'), timeoutMs: 30_000 })
    expect(refused.exitCode, refused.stderr).toBe(4)
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'RISKCTL_NOT_AUTHORISED', message: expect.stringContaining('does not let carol write to killswitch.commands.v1') } })
    const shown = JSON.stringify([refused])
    for (const password of PASSWORDS) expect(shown).not.toContain(password)
  })
})
