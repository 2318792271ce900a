import type { ChalkInstance } from 'chalk'
import type { DemoEvent } from './demo-context.js'

/** Renders the walkthrough as plain lines, for a terminal without the TUI or a log file. */
export function renderDemoEvent(event: DemoEvent, style: ChalkInstance): string {
  switch (event.type) {
    case 'say':
      return `  ${event.text}`
    case 'command':
      return `  ${style.cyan('$')} ${style.bold(event.line)}`
    case 'show':
      return event.text
        .split('\n')
        .map((line) => `    ${style.dim(line)}`)
        .join('\n')
    case 'ok':
      return `  ${style.green('✔')} ${event.text}`
    case 'problem':
      return [
        `  ${style.red('✘')} ${style.red(event.text)}`,
        ...(event.remedies.length > 0 ? ['    Try this:', ...event.remedies.map((r) => `      - ${r}`)] : []),
      ].join('\n')
  }
}

export function renderPartTitle(title: string, index: number, total: number, style: ChalkInstance): string {
  return `\n${style.bold.underline(title)} ${style.dim(`(${index + 1}/${total})`)}`
}
