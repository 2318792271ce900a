import { beforeAll, describe, expect, it } from 'vitest'
import { synthTemplate, type Template } from '../../src/cloud/assembly.js'
import {
  checkMetric,
  CREDIT_WARNING_PERCENTS,
  creditWarningMetric,
  DROPPING_CHECKS,
  EMR_RELEASE_LABEL,
} from '../../topologies/aws/names.js'
import { CREDIT_WARNING_STEPS } from '../../src/domain/pretrade/credit-ledger.js'
import { CHECK_ORDER } from '../../src/domain/pretrade/check-codes.js'
import { APPROVALS, AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS, RISK_SIGNALS, TOPICS } from '../../topologies/topics.js'
import {
  flatten,
  kafkaGrants,
  named,
  resources,
  roleOfFunction,
  statementsOfRole,
  type Json,
  type Statement,
} from './template-reading.js'

let template: Template
let withLaptop: Template

beforeAll(() => {
  template = synthTemplate()
  withLaptop = synthTemplate({ laptopCidr: '203.0.113.7/32' })
}, 180_000)

const props = (type: string, t: Template = template) => resources(t, type).map(([, r]) => r.Properties ?? {})
const one = (type: string, t: Template = template) => {
  const found = props(type, t)
  expect(found, type).toHaveLength(1)
  return found[0]!
}

/** Ingress rules open to an address range outside the VPC, inline or separate: none unless laptop access is on. */
const cidrIngress = (t: Template) =>
  [
    ...props('AWS::EC2::SecurityGroupIngress', t),
    ...props('AWS::EC2::SecurityGroup', t).flatMap(
      (p) => (p.SecurityGroupIngress ?? []) as Record<string, Json>[],
    ),
  ]
    .filter((rule) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined)
    // The interface endpoints admit HTTPS from the VPC's own range; that is not a way in from outside.
    .filter((rule) => !/CidrBlock\}$/.test(flatten(rule.CidrIp)))

describe('the riskctl stack', () => {
  it('has every part of the topology', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::MSK::Cluster',
      'AWS::EMRServerless::Application',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Authorizer',
      'AWS::SecretsManager::Secret',
      'AWS::S3::Bucket',
      'AWS::CloudWatch::Dashboard',
      'Custom::RiskctlTopics',
    ]) {
      expect(props(type), type).toHaveLength(1)
    }
    expect(props('AWS::DynamoDB::Table')).toHaveLength(2)
    expect(props('AWS::Lambda::EventSourceMapping')).toHaveLength(2)
    expect(props('AWS::EC2::NatGateway')).toHaveLength(1)
    expect(props('AWS::EC2::Subnet')).toHaveLength(4)
    // S3 and DynamoDB as free gateways; Lambda and STS as interface endpoints for the mappings' pollers.
    const endpoints = props('AWS::EC2::VPCEndpoint').map((p): [string, string] => [
      flatten(p.VpcEndpointType ?? 'Gateway'),
      flatten(p.ServiceName),
    ])
    expect(
      endpoints
        .filter(([type]) => type === 'Interface')
        .map(([, name]) => name.split('.').pop())
        .sort(),
    ).toEqual(['lambda', 'sts'])
    expect(endpoints.filter(([type]) => type === 'Gateway')).toHaveLength(2)
    const handlers = props('AWS::Lambda::Function')
      .map(
        (p) =>
          (p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables?.RISKCTL_FUNCTION,
      )
      .filter((h) => h !== undefined)
    expect(handlers.sort()).toEqual(['aggregator', 'authorizer', 'console', 'generator', 'router', 'topics'])
  })

  it('runs MSK with IAM auth over TLS only, two t3.small brokers, Kafka 3.9', () => {
    const cluster = one('AWS::MSK::Cluster')
    expect(cluster.KafkaVersion).toBe('3.9.x')
    expect(cluster.NumberOfBrokerNodes).toBe(2)
    expect(cluster.BrokerNodeGroupInfo).toMatchObject({ InstanceType: 'kafka.t3.small' })
    expect(cluster.ClientAuthentication).toEqual({
      Sasl: { Iam: { Enabled: true } },
      Unauthenticated: { Enabled: false },
    })
    expect(cluster.EncryptionInfo).toEqual({ EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } })
    expect(cluster.BrokerNodeGroupInfo).toMatchObject({
      ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
    })
    expect(String(one('AWS::MSK::Configuration').ServerProperties)).toContain(
      'auto.create.topics.enable=false',
    )
  })

  it('opens MSK public access (IAM only) to the laptop CIDR only when asked to', () => {
    const cluster = one('AWS::MSK::Cluster', withLaptop)
    expect(cluster.BrokerNodeGroupInfo).toMatchObject({
      ConnectivityInfo: { PublicAccess: { Type: 'SERVICE_PROVIDED_EIPS' } },
    })
    expect(cidrIngress(withLaptop)).toEqual([
      expect.objectContaining({ CidrIp: '203.0.113.7/32', FromPort: 9198, ToPort: 9198 }),
    ])
    expect(Object.keys(withLaptop.Outputs ?? {})).toContain('PublicBootstrapBrokers')
    expect(cidrIngress(template)).toEqual([])
  })

  it("lets the mappings poll with the functions' roles: dynamic config read on the cluster", () => {
    for (const handler of ['router', 'aggregator']) {
      const actions = statementsOfRole(template, roleOfFunction(template, handler)).flatMap((s) => s.actions)
      expect(actions).toContain('kafka-cluster:DescribeClusterDynamicConfiguration')
    }
    const generator = statementsOfRole(template, roleOfFunction(template, 'generator')).flatMap(
      (s) => s.actions,
    )
    expect(generator).not.toContain('kafka-cluster:DescribeClusterDynamicConfiguration')
  })

  it('triggers the router and the aggregator with MSK event source mappings in their own groups', () => {
    const mappings = props('AWS::Lambda::EventSourceMapping').map((p) => ({
      topic: (p.Topics as string[])[0],
      group: (p.AmazonManagedKafkaEventSourceConfig as { ConsumerGroupId: string }).ConsumerGroupId,
      start: p.StartingPosition,
    }))
    expect(mappings).toEqual(
      expect.arrayContaining([
        { topic: ORDERS, group: 'riskctl-router', start: 'TRIM_HORIZON' },
        { topic: KILL_COMMANDS, group: 'riskctl-aggregator', start: 'TRIM_HORIZON' },
      ]),
    )
  })

  it('starts the mappings only once the topics exist', () => {
    const [topicsId] = resources(template, 'Custom::RiskctlTopics')[0]!
    for (const [id, mapping] of resources(template, 'AWS::Lambda::EventSourceMapping')) {
      expect((mapping as { DependsOn?: string[] }).DependsOn, id).toContain(topicsId)
    }
  })

  it('creates the topics from the TopicSpecs, the state topic compacted', () => {
    const topics = one('Custom::RiskctlTopics')
    expect(String(topics.topics).split(',')).toEqual(TOPICS.map((t) => t.name))
    expect(TOPICS.find((t) => t.name === KILL_STATE)?.configs['cleanup.policy']).toBe('compact')
  })

  it('runs the detector on EMR Serverless 7 (Spark 3.5), stopping when idle', () => {
    const app = one('AWS::EMRServerless::Application')
    expect(app.ReleaseLabel).toBe(EMR_RELEASE_LABEL)
    expect(String(app.ReleaseLabel)).toMatch(/^emr-7\.\d+\.\d+$/)
    expect(app.Type).toBe('SPARK')
    expect(app.AutoStopConfiguration).toEqual({ Enabled: true, IdleTimeoutMinutes: 15 })
    expect(app.NetworkConfiguration).toBeDefined()
  })

  it('keeps the audit index with a TTL and the state cache by scope', () => {
    const tables = props('AWS::DynamoDB::Table')
    const audit = tables.find((t) => JSON.stringify(t.KeySchema).includes('ts_order'))!
    expect(audit.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true })
    const state = tables.find((t) => JSON.stringify(t.KeySchema).includes('"scope"'))
    expect(state?.BillingMode).toBe('PAY_PER_REQUEST')
  })

  it('keeps the bucket private and TLS-only', () => {
    expect(one('AWS::S3::Bucket').PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    })
    expect(JSON.stringify(one('AWS::S3::BucketPolicy'))).toContain('aws:SecureTransport')
  })

  it('guards every console route but /health with the bearer-token authorizer', () => {
    const routes = props('AWS::ApiGatewayV2::Route')
    const keys = routes.map((r) => r.RouteKey).sort()
    expect(keys).toEqual(['GET /health', 'GET /limits', 'GET /state', 'POST /kill', 'POST /limits', 'POST /throttle', 'POST /unkill'])
    for (const route of routes) {
      if (route.RouteKey === 'GET /health') continue
      expect(route.AuthorizationType, String(route.RouteKey)).toBe('CUSTOM')
      expect(route.AuthorizerId, String(route.RouteKey)).toBeDefined()
    }
    const authorizer = one('AWS::ApiGatewayV2::Authorizer')
    expect(authorizer).toMatchObject({ AuthorizerType: 'REQUEST', EnableSimpleResponses: true })
    expect(authorizer.IdentitySource).toEqual(['$request.header.Authorization'])
  })

  it('has no other way in: no function URLs, no REST APIs, no $default route', () => {
    expect(props('AWS::Lambda::Url')).toEqual([])
    expect(props('AWS::ApiGateway::RestApi')).toEqual([])
    expect(props('AWS::ApiGatewayV2::Route').map((r) => r.RouteKey)).not.toContain('$default')
    // Only API Gateway may invoke the console and the authorizer.
    for (const permission of props('AWS::Lambda::Permission')) {
      expect(permission.Principal).toBe('apigateway.amazonaws.com')
    }
  })

  it('reports every output the profile needs', () => {
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'BootstrapBrokers',
        'EmrApplicationId',
        'DashboardUrl',
        'GeneratorFunction',
      ]),
    )
  })
})

describe('least privilege per function', () => {
  const grantsOf = (handler: string) =>
    kafkaGrants(statementsOfRole(template, roleOfFunction(template, handler)))
  const tableActions = (statements: readonly Statement[]) =>
    statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:'))).flatMap((s) => s.resources)

  it('never grants kafka-cluster:* or Kafka actions on *', () => {
    for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
      const document = JSON.stringify(policy.Properties?.PolicyDocument)
      expect(document).not.toContain('kafka-cluster:*')
    }
    for (const handler of ['router', 'aggregator', 'console', 'generator', 'topics']) {
      for (const statement of statementsOfRole(template, roleOfFunction(template, handler))) {
        if (statement.actions.some((a) => a.startsWith('kafka-cluster:')))
          expect(statement.resources).not.toContain('*')
      }
    }
  })

  it('router: reads orders, the state, limits, prices, the day\'s gated orders and its own audits, writes audit, gated, dead letters and credit warnings only', () => {
    const grants = grantsOf('router')
    expect(named(grants, 'kafka-cluster:ReadData', 'topic')).toEqual(
      [AUDIT, KILL_STATE, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS].sort(),
    )
    expect(named(grants, 'kafka-cluster:WriteData', 'topic')).toEqual(
      [AUDIT, DEAD_LETTERS, ORDERS_GATED, RISK_SIGNALS].sort(),
    )
    expect(named(grants, 'kafka-cluster:AlterGroup', 'group')).toEqual([
      'riskctl-reader-*',
      'riskctl-router',
      'riskctl-router-lambda',
    ])
    // Its outputs and its progress in one transaction: only its own transactional ids.
    expect(named(grants, 'kafka-cluster:AlterTransactionalId', 'transactional-id')).toEqual([
      'riskctl-tx-riskctl-router-lambda-*',
    ])
    expect(grants.has('kafka-cluster:CreateTopic')).toBe(false)
    const tables = tableActions(statementsOfRole(template, roleOfFunction(template, 'router')))
    expect(tables.length).toBeGreaterThan(0)
    expect(tables.every((t) => t.includes('DataAuditIndex'))).toBe(true)
  })

  it('aggregator: reads commands, the state, the limits, the held requests and the operator-action trail, writes them (not the trail), reverts, audit and dead letters, its own table', () => {
    const grants = grantsOf('aggregator')
    expect(named(grants, 'kafka-cluster:ReadData', 'topic')).toEqual([APPROVALS, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, RISK_LIMITS].sort())
    expect(named(grants, 'kafka-cluster:WriteData', 'topic')).toEqual(
      [APPROVALS, AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE, RISK_LIMITS].sort(),
    )
    expect(named(grants, 'kafka-cluster:AlterGroup', 'group')).toEqual([
      'riskctl-aggregator',
      'riskctl-aggregator-lambda',
      'riskctl-reader-*',
    ])
    expect(named(grants, 'kafka-cluster:AlterTransactionalId', 'transactional-id')).toEqual([
      'riskctl-tx-riskctl-aggregator-lambda-*',
    ])
    const tables = tableActions(statementsOfRole(template, roleOfFunction(template, 'aggregator')))
    expect(tables.length).toBeGreaterThan(0)
    expect(tables.every((t) => t.includes('DataStateCache'))).toBe(true)
  })

  it('console: writes commands and the operator-action trail, reads the state, the limits and the audits that answer them, nothing else', () => {
    const grants = grantsOf('console')
    expect(named(grants, 'kafka-cluster:WriteData', 'topic')).toEqual([KILL_COMMANDS, OPERATOR_ACTIONS].sort())
    expect(named(grants, 'kafka-cluster:ReadData', 'topic')).toEqual([APPROVALS, AUDIT, KILL_STATE, RISK_LIMITS].sort())
    expect(tableActions(statementsOfRole(template, roleOfFunction(template, 'console')))).toEqual([])
  })

  it('generator: writes orders and reference prices only; authorizer: no Kafka at all', () => {
    const generator = grantsOf('generator')
    expect(named(generator, 'kafka-cluster:WriteData', 'topic')).toEqual([ORDERS, REFERENCE_PRICES].sort())
    expect(generator.has('kafka-cluster:AlterTransactionalId')).toBe(false)
    expect(generator.has('kafka-cluster:ReadData')).toBe(false)
    expect(grantsOf('authorizer').size).toBe(0)
  })

  it('graphs every check that drops an order in a widget of its own, from the metric the router publishes', () => {
    const body = JSON.stringify(one('AWS::CloudWatch::Dashboard').DashboardBody)
    expect([...DROPPING_CHECKS]).toEqual(CHECK_ORDER.filter((check) => check !== 'DUPLICATE_ORDER_ID'))
    for (const check of DROPPING_CHECKS) {
      expect(body, check).toContain(`Dropped by ${check}`)
      expect(body, check).toContain(checkMetric(check))
    }
    for (const percent of CREDIT_WARNING_PERCENTS) expect(body).toContain(creditWarningMetric(percent))
    expect(CREDIT_WARNING_PERCENTS.map((percent) => percent / 100)).toEqual([...CREDIT_WARNING_STEPS])
  })

  it('topics: administers exactly the riskctl topics', () => {
    expect(named(grantsOf('topics'), 'kafka-cluster:CreateTopic', 'topic')).toEqual(
      TOPICS.map((t) => t.name).sort(),
    )
  })

  it('the Spark job: reads orders and the state, writes risk signals and kill commands only', () => {
    const [jobRole] = resources(template, 'AWS::IAM::Role').find(([, role]) =>
      JSON.stringify(role.Properties?.AssumeRolePolicyDocument).includes('emr-serverless.amazonaws.com'),
    )!
    const grants = kafkaGrants(statementsOfRole(template, jobRole))
    expect(named(grants, 'kafka-cluster:ReadData', 'topic')).toEqual([KILL_STATE, ORDERS].sort())
    expect(named(grants, 'kafka-cluster:WriteData', 'topic')).toEqual([KILL_COMMANDS, RISK_SIGNALS].sort())
    expect(flatten(null)).toBe('')
  })
})
