import type { OperatorRequest, TailSource } from '../services/tail-source.js'

export type { OperatorRequest }

/** Publishes the command and says, in one line, what was sent; throws with a message a person can act on. */
export type PublishOperatorCommand = TailSource['publish']
