import { Aws, Duration } from 'aws-cdk-lib'
import * as cw from 'aws-cdk-lib/aws-cloudwatch'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import { Construct } from 'constructs'
import { checkMetric, CREDIT_WARNING_PERCENTS, creditWarningMetric, DROPPING_CHECKS, METRICS_NAMESPACE } from './names.js'

export interface RiskDashboardProps {
  readonly router: lambda.IFunction
  readonly aggregator: lambda.IFunction
  readonly functions: readonly lambda.IFunction[]
}

/** The custom metrics the handlers publish as CloudWatch embedded-metric-format log lines. */
export const ROUTER_METRICS = ['Allowed', 'Dropped', 'Duplicates', 'DeadLetters'] as const
export const AGGREGATOR_METRICS = ['Kills', 'Unkills', 'Throttles', 'Refused'] as const
export const DETECTOR_LAG_METRIC = 'DetectorLagMs'

const PERIOD = Duration.minutes(1)

/** One screen for a class: what the router let through and stopped, the kills, errors and lag. */
export class RiskDashboard extends Construct {
  readonly dashboard: cw.Dashboard
  readonly url: string

  constructor(scope: Construct, id: string, props: RiskDashboardProps) {
    super(scope, id)
    const custom = (name: string, service: string) =>
      new cw.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service },
        statistic: 'Sum',
        period: PERIOD,
      })
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: 'riskctl',
      defaultInterval: Duration.hours(1),
    })
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Orders: allowed vs dropped (per minute)',
        left: [custom('Allowed', 'router'), custom('Dropped', 'router')],
        right: [custom('DeadLetters', 'router')],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Kill switch: applied commands',
        left: AGGREGATOR_METRICS.map((name) => custom(name, 'aggregator')),
        width: 12,
      }),
    )
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Lambda errors',
        left: props.functions.map((fn) => fn.metricErrors({ period: PERIOD })),
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Lag: detector (ms) and the processors\u2019 Kafka offset lag',
        left: [
          new cw.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: DETECTOR_LAG_METRIC,
            dimensionsMap: { service: 'detector' },
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ],
        right: [props.router, props.aggregator].map(
          (fn) =>
            new cw.Metric({
              namespace: 'AWS/Lambda',
              metricName: 'OffsetLag',
              dimensionsMap: { FunctionName: fn.functionName },
              statistic: 'Maximum',
              period: PERIOD,
            }),
        ),
        width: 12,
      }),
    )
    // One widget per check: which control is stopping orders, at a glance (ADR 0014).
    const checkWidgets = DROPPING_CHECKS.map(
      (check) =>
        new cw.GraphWidget({
          title: `Dropped by ${check}`,
          left: [custom(checkMetric(check), 'router')],
          width: 6,
          height: 4,
        }),
    )
    checkWidgets.push(
      new cw.GraphWidget({
        title: 'Credit warnings: accounts past 50, 75, 90% of their line',
        left: CREDIT_WARNING_PERCENTS.map((percent) => custom(creditWarningMetric(percent), 'router')),
        width: 6,
        height: 4,
      }),
    )
    for (let i = 0; i < checkWidgets.length; i += 4) this.dashboard.addWidgets(...checkWidgets.slice(i, i + 4))
    this.url = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=riskctl`
  }
}
