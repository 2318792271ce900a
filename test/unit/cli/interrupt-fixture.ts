import { listenForInterrupt } from '../../../src/cli/interrupt.js'

/** A command whose shutdown never ends: after the first signal, only the second can end the process. */
const interruption = listenForInterrupt()
interruption.signal.addEventListener('abort', () => process.stdout.write('stopping\n'))
setInterval(() => undefined, 1000)
process.stdout.write('listening\n')
