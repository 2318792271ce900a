/**
 * Values are bytes on the log. A record written by riskctl is JSON; anything else (a malformed
 * order sent with --no-validate) is shown as the text it is rather than hidden.
 */
export function decodeValue(value: Buffer | null): unknown {
  if (value === null) return null
  const text = value.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
