/** Physical names the CLI relies on after a deploy; everything else is left to CloudFormation. */
export const STACK_NAME = 'Riskctl'
export const CLUSTER_NAME = 'riskctl'
export const EMR_RELEASE_LABEL = 'emr-7.9.0'
/** The Spark that release runs; the local pyspark is pinned to it (requirements-spark.txt). */
export const EMR_SPARK_VERSION = '3.5.5'
export const KAFKA_VERSION = '3.9.x'
export const BROKER_INSTANCE_TYPE = 'kafka.t3.small'
export const BROKER_COUNT = 2
/** MSK's IAM listener: 9098 inside the VPC, 9198 through public access. */
export const IAM_PORT_PRIVATE = 9098
export const IAM_PORT_PUBLIC = 9198
export const METRICS_NAMESPACE = 'Riskctl'
/** The audit index's time-to-live attribute: the stack enables it on the table, the router function sets it. */
export const AUDIT_TTL_ATTRIBUTE = 'expires_at'
/** Consumer groups of the Spark detector (its own name prefix, and Spark's generated ones). */
export const DETECTOR_GROUPS = ['riskctl-detector*', 'spark-kafka-source-*']
/** The throwaway groups the kafkajs adapter uses to read the compacted state to its end. */
export const READER_GROUPS = 'riskctl-reader-*'
/**
 * The groups the router and aggregator functions commit their progress to, in the transaction of
 * their outputs, so that a batch the mapping delivers again is not decided again. The mapping's
 * own groups (riskctl-router, riskctl-aggregator) are the mapping's to commit.
 */
export const ROUTER_PROGRESS_GROUP = 'riskctl-router-lambda'
export const AGGREGATOR_PROGRESS_GROUP = 'riskctl-aggregator-lambda'
/** The adapter's transactional ids, named where the adapter takes them from. */
export { transactionalIdPrefix } from '../groups.js'

/**
 * The checks that drop an order, as the router's audit names them (CHECK_ORDER, less DUPLICATE_ORDER_ID, counted as
 * Duplicates): the router publishes one metric each and the dashboard graphs each. The stack declares, it does not
 * import the domain; a test holds the two lists together.
 */
export const DROPPING_CHECKS = [
  'KILL_SWITCH',
  'THROTTLE',
  'LIMITS_UNKNOWN',
  'ORDER_VALUE',
  'RESTRICTED_SYMBOL',
  'MAX_ORDER_QTY',
  'MAX_ORDER_NOTIONAL',
  'NO_REFERENCE_PRICE',
  'PRICE_COLLAR',
  'DUPLICATIVE',
  'MESSAGE_RATE',
  'CREDIT_LIMIT',
] as const

export function checkMetric(check: string): string {
  return `Dropped_${check}`
}

/** Nasdaq's ladder in percent, as the router's credit warnings name it (CREDIT_WARNING_STEPS in the domain). */
export const CREDIT_WARNING_PERCENTS = [50, 75, 90] as const

export function creditWarningMetric(percent: number): string {
  return `CreditWarning_${percent}`
}
