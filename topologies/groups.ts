/**
 * The consumer groups of the processors, in one place: the processors commit under them, the AWS stack grants
 * them, and the tests read their positions. (The Lambda functions' own progress groups are in aws/names.ts.)
 */
export const ROUTER_GROUP = 'riskctl-router'
export const AGGREGATOR_GROUP = 'riskctl-aggregator'
export const DETECTOR_GROUP = 'riskctl-detector'

/**
 * The throwaway group of a reader that commits nothing (kafkajs consumes only through a group). On a broker that
 * names its users, the user is part of the name, so that a prefixed ACL gives each user its own readers' groups
 * and no one else's; without a user name (no SASL, MSK IAM) they all share riskctl-reader-.
 */
export function readerGroupPrefix(user?: string): string {
  return user === undefined ? 'riskctl-reader-' : `riskctl-reader-${user}-`
}

/** The Kafka adapter's transactional ids: riskctl-tx-<group>-<partitions> (src/log/kafka/transactional-writers.ts). */
export function transactionalIdPrefix(group: string): string {
  return `riskctl-tx-${group}-`
}
