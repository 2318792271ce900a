import { Box, Text } from 'ink'
import { tone } from './tone.js'
import type { StatusMessage, UiMode } from './ui-state.js'

export interface StatusBarProps {
  readonly mode: UiMode
  readonly status: StatusMessage | undefined
  readonly width: number
  readonly color: boolean
}

const STATUS_COLORS: Readonly<Record<StatusMessage['tone'], string>> = {
  info: 'cyan',
  ok: 'green',
  error: 'red',
}
const HELP = 'Tab/←→ pane · ↑↓ select · Enter expand · k kill · u unkill · p pause · q quit'

/** The reason prompt while one is asked for, else the last result; below it, the keys. */
export function StatusBar({ mode, status, width, color }: StatusBarProps) {
  return (
    <Box flexDirection="column" width={width}>
      {mode.type === 'reason' ? (
        <Text wrap="truncate-start">
          <Text bold={color} {...tone(color, mode.action === 'KILL' ? 'red' : 'green')}>
            {`${mode.action} ${mode.scope}`}
          </Text>
          {` reason: ${mode.text}█`}
        </Text>
      ) : (
        <Text wrap="truncate-end" {...(status ? tone(color, STATUS_COLORS[status.tone]) : {})}>
          {status?.text ?? ' '}
        </Text>
      )}
      <Text wrap="truncate-end" dimColor={color}>
        {mode.type === 'reason' ? 'Enter sends · Esc cancels' : HELP}
      </Text>
    </Box>
  )
}
