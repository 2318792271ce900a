import { describeFailClosed } from '../helpers/fail-closed.js'
import { kafkaEnv, resetRiskctlTopics } from './support.js'

describeFailClosed({ name: 'Kafka', env: kafkaEnv(), reset: resetRiskctlTopics, readyTimeoutMs: 60_000 })
