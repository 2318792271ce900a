import { Box, Text } from 'ink'
import type { PartStatus } from '../../demo/demo-runner.js'
import { tone } from '../tone.js'
import { AGENDA_GAP, type AgendaItem } from './agenda.js'

export interface DemoHeaderProps {
  /** The current part's title, or undefined once every part has run. */
  readonly title: string | undefined
  readonly number: number
  readonly total: number
  readonly status: PartStatus | undefined
  /** The agenda already packed in rows of the header's width. */
  readonly agenda: readonly (readonly AgendaItem[])[]
  readonly keys: string
  readonly width: number
  readonly color: boolean
}

const STATUS_COLORS: Readonly<Record<PartStatus, string>> = {
  pending: 'gray',
  running: 'cyan',
  done: 'green',
  failed: 'red',
}

/** The current part and its number, the agenda with each part's status, and the presenter's keys. */
export function DemoHeader({ title, number, total, status, agenda, keys, width, color }: DemoHeaderProps) {
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold={color} underline={color}>
          {title ?? 'Walkthrough finished'}
        </Text>
        {title === undefined ? '' : ` (${number}/${total})`}
        {status === undefined ? null : <Text {...tone(color, STATUS_COLORS[status])}>{` · ${status}`}</Text>}
      </Text>
      {agenda.map((row, index) => (
        <Text key={index} wrap="truncate-end">
          {row.map((item, position) => (
            <Text key={position}>
              {position === 0 ? '' : AGENDA_GAP}
              <Text bold={color && item.current} {...tone(color, STATUS_COLORS[item.status])}>
                {item.label}
              </Text>
            </Text>
          ))}
        </Text>
      ))}
      <Text wrap="truncate-end" dimColor={color}>
        {keys}
      </Text>
    </Box>
  )
}
