import type { ChalkInstance } from 'chalk'
import type { DemoRunResult, DemoStart } from '../demo/demo-run.js'

/** The lines above the walkthrough: which one, on what, and how to follow along. */
export function renderDemoStart(start: DemoStart, style: ChalkInstance, unattendedForLackOfKeys: boolean): string {
  return [
    style.bold(`riskctl demo · ${start.variant} · ${start.minutes} minutes at speed 1`),
    style.dim(
      `${start.attached ? 'attached to the processors' : 'processors running'} on the ${start.log}; operator console ${start.consoleUrl}`,
    ),
    style.dim(`to follow along in another terminal: export RISKCTL_DATA_DIR=${start.dataDir}; riskctl tail`),
    ...(unattendedForLackOfKeys ? [style.dim('(no terminal on stdin: running unattended)')] : []),
  ].join('\n')
}

export function renderDemoSummary(result: DemoRunResult, style: ChalkInstance): string {
  const problems = result.failed.length > 0
  return [
    `\n${problems ? style.yellow('Demo finished with problems') : style.green('Demo finished')}: ${result.completed}/${result.parts} parts done` +
      (problems ? ` · problems in: ${result.failed.join(', ')}` : ''),
    style.dim(
      `The demo's data stays in ${result.dataDir}: try riskctl state, riskctl audit --account 12345 with RISKCTL_DATA_DIR set to it.`,
    ),
  ].join('\n')
}
