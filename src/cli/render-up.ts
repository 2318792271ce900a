import type { ChalkInstance } from 'chalk'
import type { UpEvent, UpResult } from '../services/up.js'
import type { ProgressLine } from './progress-line.js'
import { renderStatusLine } from './render-status.js'

/** `riskctl up` for a person, on stderr: what runs where, when it is ready, and the status line every second. */
export function renderUpEvent(event: UpEvent, progress: ProgressLine, style: ChalkInstance): void {
  switch (event.event) {
    case 'started':
      progress.line(`riskctl up: ${event.components.join(', ')} on the ${event.log}`)
      if (event.consoleUrl !== undefined && event.tokenIn !== undefined) {
        progress.line(`operator console ${event.consoleUrl} · bootstrap admin token in ${event.tokenIn}`)
        progress.line(style.dim('named users with roles: riskctl users add NAME --role viewer|operator|supervisor'))
      }
      if (event.fourEyesMs !== undefined) {
        progress.line(`four eyes: an UNKILL waits up to ${Math.round(event.fourEyesMs / 60_000)} min for a second person (riskctl approvals list, riskctl approve ID)`)
      }
      return
    case 'ready':
      return progress.line('ready: kill state loaded, processing orders')
    case 'status':
      return progress.update(renderStatusLine(event, style))
    case 'exited':
      return progress.line(style.yellow(`${event.processor} (pid ${event.pid ?? '?'}) ${event.how}: starting it again from its last commit`))
    case 'restarted':
      return progress.line(`${event.processor} started again (pid ${event.pid ?? '?'})`)
  }
}

export function renderUpStopped(result: UpResult, progress: ProgressLine, style: ChalkInstance): void {
  progress.end()
  progress.line(`stopped cleanly: ${renderStatusLine(result, style)}`)
}
