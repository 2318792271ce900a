import { generateOrders, type GenerateSummary } from '../services/generate.js'
import { budgetOf, type LambdaContext } from './lambda-context.js'
import { sharedLog } from './shared-log.js'
import type { GeneratorPayload } from '../cloud/generator-payload.js'

/** The same generator as `riskctl generate`, stopped early if the Lambda would time out. */
export async function handler(payload: GeneratorPayload, context?: LambdaContext): Promise<GenerateSummary> {
  const mode = payload.mode === 'panic' ? 'panic' : 'normal'
  return generateOrders(await sharedLog(), {
    mode,
    ratePerSecond: payload.rate_per_second ?? (mode === 'panic' ? 50 : 5),
    durationSeconds: payload.duration_seconds ?? (mode === 'panic' ? 120 : 60),
    seed: payload.seed ?? Math.floor(Math.random() * 2 ** 31),
    account: payload.account_id,
    signal: AbortSignal.timeout(budgetOf(context)),
  })
}
