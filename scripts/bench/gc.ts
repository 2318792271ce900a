import { runInNewContext } from 'node:vm'
import v8 from 'node:v8'

// Memory figures need a full collection before each reading; the flag exposes it in a fresh context.
v8.setFlagsFromString('--expose-gc')
export const gc = runInNewContext('gc') as () => void
