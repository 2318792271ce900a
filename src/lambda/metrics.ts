import { METRICS_NAMESPACE } from '../../topologies/aws/names.js'

/**
 * One CloudWatch embedded-metric-format line: Lambda ships stdout to CloudWatch Logs, which turns
 * it into metrics. No SDK call, no extra latency, nothing to grant beyond the function's own logs.
 */
export function emfLine(
  service: string,
  values: Readonly<Record<string, number>>,
  now: number = Date.now(),
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    service,
    ...values,
  })
}

export function publishMetrics(service: string, values: Readonly<Record<string, number>>): void {
  process.stdout.write(`${emfLine(service, values)}\n`)
}
