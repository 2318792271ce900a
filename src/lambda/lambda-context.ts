/** The part of the Lambda context riskctl's handlers use. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number
}

/** Leaves time to report a failure before the Lambda runtime kills the invocation. */
export function budgetOf(context: LambdaContext | undefined, fallbackMs = 60_000): number {
  const remaining = context?.getRemainingTimeInMillis() ?? fallbackMs
  return Math.max(1000, remaining - 5000)
}
