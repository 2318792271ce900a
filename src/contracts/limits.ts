/**
 * The largest record any riskctl contract accepts. Well under every topic's max.message.bytes (1 MiB), so
 * that whatever a processor writes about an accepted record (its audit, its forwarded copy) fits too.
 */
export const MAX_RECORD_BYTES = 32 * 1024
