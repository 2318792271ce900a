/** The seed's generator payload, kept as it was so that its existing invocations still work. */
export interface GeneratorPayload {
  readonly mode?: 'normal' | 'panic'
  readonly account_id?: string
  readonly duration_seconds?: number
  readonly rate_per_second?: number
  readonly seed?: number
}
