import type { IIoHost, IoMessage, IoRequest, StackActivity } from '@aws-cdk/toolkit-lib'

/** The toolkit's per-resource event; its code is stable across toolkit-lib versions. */
export const STACK_ACTIVITY = 'CDK_TOOLKIT_I5502'

/** One line per CloudFormation resource event: progress, status, type, id, and why it failed. */
export function renderActivity(activity: StackActivity): string {
  const event = activity.event
  const progress = activity.progress.total
    ? `[${String(activity.progress.completed).padStart(String(activity.progress.total).length)}/${activity.progress.total}]`
    : `[${activity.progress.completed}]`
  const status = event.ResourceStatus ?? 'UNKNOWN'
  const reason =
    status.endsWith('FAILED') && event.ResourceStatusReason ? ` - ${event.ResourceStatusReason}` : ''
  return `${progress} ${status.padEnd(20)} ${event.ResourceType ?? ''} ${event.LogicalResourceId ?? ''}${reason}`
}

export function isStackActivity(message: IoMessage<unknown>): message is IoMessage<StackActivity> {
  return message.code === STACK_ACTIVITY
}

/** Failures remembered for the final error message: "what failed and why". */
export interface ProgressHost extends IIoHost {
  readonly failures: readonly string[]
}

/**
 * Renders the toolkit's messages as plain lines (one per resource event, warnings and errors),
 * leaving its chatter out. Questions are answered with their defaults, except that the deploy
 * confirmation is yes: the operator has already confirmed the plan and its cost.
 */
export function progressHost(
  write: (line: string) => void,
  options: { readonly verbose?: boolean } = {},
): ProgressHost {
  const failures: string[] = []
  return {
    failures,
    async notify(message: IoMessage<unknown>): Promise<void> {
      if (isStackActivity(message)) {
        const line = renderActivity(message.data)
        if (/FAILED/.test(message.data.event.ResourceStatus ?? ''))
          failures.push(line.replace(/^\[[^\]]*\]\s*/, ''))
        write(line)
      } else if (message.level === 'error' || message.level === 'warn') {
        write(`${message.level === 'error' ? 'error' : 'warning'}: ${message.message}`)
      } else if (options.verbose && (message.level === 'info' || message.level === 'result')) {
        write(message.message)
      }
    },
    async requestResponse<T>(request: IoRequest<unknown, T>): Promise<T> {
      if (request.code === 'CDK_TOOLKIT_I5060') return true as T
      return request.defaultResponse
    },
  }
}
