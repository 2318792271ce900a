import { beforeAll, describe, expect, it } from 'vitest'
import { synthTemplate, type Template } from '../../src/cloud/assembly.js'
import { APPROVALS, KILL_COMMANDS, KILL_STATE, RISK_LIMITS, TOPIC_NAMES } from '../../topologies/topics.js'
import { kafkaGrants, named, resources, roleOfFunction, statementsOfRole } from './template-reading.js'

let template: Template

beforeAll(() => {
  template = synthTemplate()
}, 180_000)

/** Every role of the stack, by its logical id, with the topics it may write; a role added later is counted too. */
function writersOf(topic: string): string[] {
  return resources(template, 'AWS::IAM::Role')
    .map(([id]) => id)
    .filter((id) => named(kafkaGrants(statementsOfRole(template, id)), 'kafka-cluster:WriteData', 'topic').includes(topic))
    .sort()
}

/**
 * The broker's ACLs on a local secure broker (topologies/kafka-grants.ts) and the stack's IAM on MSK hold the same
 * line: the per-function suites (stack.test.ts) say what each role may do; these say who, of all the roles, may write
 * what only one of them should.
 */
describe('who may write the kill state on AWS', () => {
  it('only the aggregator function\'s role writes the state and the limits', () => {
    const aggregator = roleOfFunction(template, 'aggregator')
    expect(writersOf(KILL_STATE)).toEqual([aggregator])
    expect(writersOf(RISK_LIMITS)).toEqual([aggregator])
    // The approvals (four eyes) are the aggregator's alone wherever they are written at all.
    expect(writersOf(APPROVALS).filter((role) => role !== aggregator)).toEqual([])
  })

  it('commands come only from the aggregator (its reverts), the console and the detector job, never the router or generator', () => {
    const writers = writersOf(KILL_COMMANDS)
    expect(writers).toHaveLength(3)
    expect(writers).toContain(roleOfFunction(template, 'aggregator'))
    expect(writers).toContain(roleOfFunction(template, 'console'))
    for (const handler of ['router', 'generator', 'topics', 'authorizer']) expect(writers).not.toContain(roleOfFunction(template, handler))
  })

  it('no role is granted a topic by wildcard: each names the riskctl topics it uses', () => {
    for (const [id] of resources(template, 'AWS::IAM::Role')) {
      const grants = kafkaGrants(statementsOfRole(template, id))
      for (const action of ['kafka-cluster:ReadData', 'kafka-cluster:WriteData']) {
        for (const topic of named(grants, action, 'topic')) expect(TOPIC_NAMES, `${id} ${action} ${topic}`).toContain(topic)
      }
    }
  })
})
