import { describeFailClosed } from '../helpers/fail-closed.js'

describeFailClosed({ name: 'embedded log', env: {}, reset: async () => undefined, readyTimeoutMs: 30_000 })
