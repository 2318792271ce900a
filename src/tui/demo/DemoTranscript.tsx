import { Box, Text } from 'ink'
import { tone } from '../tone.js'
import type { TranscriptLine } from './transcript.js'

export interface DemoTranscriptProps {
  /** Already wrapped and fitted to `height` rows of `width` columns. */
  readonly lines: readonly TranscriptLine[]
  readonly width: number
  readonly height: number
  readonly color: boolean
}

/**
 * The current part as it happens. Commands read like a shell prompt ($, then the line in bold) so
 * students can retype them; outputs are dim; a problem is red and its remedies plain. The marks
 * ($, ✔, ✘) carry the meaning when colour is off.
 */
export function DemoTranscript({ lines, width, height, color }: DemoTranscriptProps) {
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          <Line line={line} color={color} />
        </Text>
      ))}
    </Box>
  )
}

function Line({ line, color }: { readonly line: TranscriptLine; readonly color: boolean }) {
  switch (line.kind) {
    case 'command':
      return (
        <>
          <Text {...tone(color, 'cyan')} bold={color}>
            {line.mark}
          </Text>
          <Text bold={color}>{line.text}</Text>
        </>
      )
    case 'show':
    case 'more':
      return <Text dimColor={color}>{`${line.mark}${line.text}`}</Text>
    case 'ok':
      return (
        <>
          <Text {...tone(color, 'green')}>{line.mark}</Text>
          {line.text}
        </>
      )
    case 'problem':
      return <Text {...tone(color, 'red')} bold={color}>{`${line.mark}${line.text}`}</Text>
    default:
      return <>{`${line.mark}${line.text}`}</>
  }
}
