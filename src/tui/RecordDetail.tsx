import { Box, Text } from 'ink'
import type { TailRecord } from '../services/tail.js'
import { borderTone } from './tone.js'

export interface RecordDetailProps {
  readonly record: TailRecord
  readonly width: number
  readonly height: number
  readonly color: boolean
}

const BORDER = 2

/** One record in full, as pretty JSON, cut to the space there is. */
export function RecordDetail({ record, width, height, color }: RecordDetailProps) {
  const lines = JSON.stringify(record, null, 2).split('\n')
  const room = Math.max(1, height - BORDER - 1)
  const shown =
    lines.length > room ? [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more lines`] : lines
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle="round"
      overflow="hidden"
      {...borderTone(color, 'cyan')}
    >
      <Text
        bold={color}
        wrap="truncate-end"
      >{`${record.topic}[${record.partition}]@${record.offset} · Esc or Enter closes`}</Text>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  )
}
