import { runInNewContext } from 'node:vm'
import v8 from 'node:v8'

// Memory figures need a full collection before each reading; the flag exposes it in a fresh context.
v8.setFlagsFromString('--expose-gc')
export const gc = runInNewContext('gc') as () => void

/**
 * The heap and the typed arrays' buffers, which live outside it, after a full collection. Twice: V8 frees the
 * buffers a collection found dead while it sweeps, and the next collection waits for that sweep to end.
 */
export function memoryInUse(): number {
  gc()
  gc()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}
