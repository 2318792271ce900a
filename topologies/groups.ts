/**
 * The consumer groups of the processors, in one place: the processors commit under them, the AWS stack grants
 * them, and the tests read their positions. (The Lambda functions' own progress groups are in aws/names.ts.)
 */
export const ROUTER_GROUP = 'riskctl-router'
export const AGGREGATOR_GROUP = 'riskctl-aggregator'
export const DETECTOR_GROUP = 'riskctl-detector'
