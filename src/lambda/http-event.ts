/** An API Gateway HTTP API (payload 2.0) request, as far as the console needs it. */
export interface HttpApiEvent {
  readonly rawPath: string
  readonly rawQueryString?: string
  readonly headers?: Readonly<Record<string, string | undefined>>
  readonly body?: string
  readonly isBase64Encoded?: boolean
  readonly requestContext: { readonly http: { readonly method: string } }
}

export interface HttpApiResult {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly body: string
}

export interface InjectRequest {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly payload?: string
}

/** The request as fastify's inject() takes it, so the console's own routes answer API Gateway. */
export function toInjectRequest(event: HttpApiEvent): InjectRequest {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] = value
  const query = event.rawQueryString ? `?${event.rawQueryString}` : ''
  const request = { method: event.requestContext.http.method, url: `${event.rawPath}${query}`, headers }
  if (event.body === undefined) return request
  return {
    ...request,
    payload: event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
  }
}
