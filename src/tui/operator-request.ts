import type { OperatorAction } from '../services/operator-command.js'

/** What the view asks an operator's command to do: the rest (operator, ids, time) is added when it is built. */
export interface OperatorRequest {
  readonly action: Extract<OperatorAction, 'KILL' | 'UNKILL'>
  readonly scope: string
  readonly reason: string
}

/** Publishes the command and says, in one line, what was sent; throws with a message a person can act on. */
export type PublishOperatorCommand = (request: OperatorRequest) => Promise<string>
