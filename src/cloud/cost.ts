import type { Plan } from './plan.js'
import { countOf } from './plan.js'
import { BROKER_COUNT } from '../../topologies/aws/names.js'
import { DETECTOR_FOOTPRINT } from './spark-job.js'

/**
 * On-demand unit prices in us-east-1, USD, as published on 2026-11 (other regions are within
 * ~10-25%). Sources: https://aws.amazon.com/msk/pricing/ (kafka.t3.small $0.0456/broker-hour,
 * storage $0.10/GB-month), https://aws.amazon.com/vpc/pricing/ (NAT gateway $0.045/hour, public
 * IPv4 $0.005/hour, interface endpoints $0.01/hour per AZ, gateway endpoints free), https://aws.amazon.com/emr/pricing/ (EMR Serverless
 * $0.052624/vCPU-hour, $0.0057785/GB-hour, nothing while the application is stopped),
 * https://aws.amazon.com/secrets-manager/pricing/ ($0.40/secret-month),
 * https://aws.amazon.com/cloudwatch/pricing/ ($3/dashboard-month). Lambda, API Gateway and
 * DynamoDB on demand bill per request: at a class's few hundred orders a second they stay at cents.
 */
export const UNIT_PRICES = {
  mskBrokerHour: 0.0456,
  mskStorageGbMonth: 0.1,
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointAzHour: 0.01,
  emrVcpuHour: 0.052624,
  emrGbHour: 0.0057785,
  secretMonth: 0.4,
  dashboardMonth: 3,
  requestsPerHourAtDemoRates: 0.02,
} as const

const HOURS_PER_MONTH = 730
const BROKER_STORAGE_GB = 10
/** The detector job's footprint while it runs, from the sizes its StartJobRun request asks for. */
const DETECTOR_RUNNING = DETECTOR_FOOTPRINT

export interface CostLine {
  readonly item: string
  readonly perHour: number
}

export interface CostEstimate {
  readonly lines: readonly CostLine[]
  /** With the detector job running (the state `riskctl deploy` leaves it in). */
  readonly perHour: number
  /** The same with the detector stopped: what an idle deployment costs. */
  readonly idlePerHour: number
}

export function estimateHourlyCost(plan: Plan, options: { readonly laptopAccess: boolean }): CostEstimate {
  const brokers = countOf(plan, 'AWS::MSK::Cluster') * BROKER_COUNT
  const nat = countOf(plan, 'AWS::EC2::NatGateway')
  const publicIps = nat + (options.laptopAccess ? brokers : 0)
  const detector =
    countOf(plan, 'AWS::EMRServerless::Application') > 0
      ? DETECTOR_RUNNING.vcpu * UNIT_PRICES.emrVcpuHour + DETECTOR_RUNNING.memoryGb * UNIT_PRICES.emrGbHour
      : 0
  const lines: CostLine[] = [
    { item: `MSK: ${brokers} x kafka.t3.small brokers`, perHour: brokers * UNIT_PRICES.mskBrokerHour },
    {
      item: `MSK: ${brokers * BROKER_STORAGE_GB} GB broker storage`,
      perHour: (brokers * BROKER_STORAGE_GB * UNIT_PRICES.mskStorageGbMonth) / HOURS_PER_MONTH,
    },
    { item: `NAT gateway x ${nat}`, perHour: nat * UNIT_PRICES.natGatewayHour },
    { item: `public IPv4 addresses x ${publicIps}`, perHour: publicIps * UNIT_PRICES.publicIpv4Hour },
    {
      item: `interface VPC endpoints (Lambda, STS) in ${plan.interfaceEndpointAzs} endpoint-AZs`,
      perHour: plan.interfaceEndpointAzs * UNIT_PRICES.interfaceEndpointAzHour,
    },
    {
      item: `EMR Serverless detector while running (${DETECTOR_RUNNING.vcpu} vCPU, ${DETECTOR_RUNNING.memoryGb} GB; 0 when stopped)`,
      perHour: detector,
    },
    {
      item: 'Secrets Manager secret, CloudWatch dashboard',
      perHour:
        (countOf(plan, 'AWS::SecretsManager::Secret') * UNIT_PRICES.secretMonth +
          countOf(plan, 'AWS::CloudWatch::Dashboard') * UNIT_PRICES.dashboardMonth) /
        HOURS_PER_MONTH,
    },
    {
      item: 'Lambda, API Gateway, DynamoDB on demand (at demo rates)',
      perHour: UNIT_PRICES.requestsPerHourAtDemoRates,
    },
  ]
  const perHour = lines.reduce((sum, line) => sum + line.perHour, 0)
  return { lines, perHour, idlePerHour: perHour - detector }
}

export function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 3 : 2)}`
}
