import type { ChalkInstance } from 'chalk'
import { Box, Text } from 'ink'
import { styleCompactLine } from './compact-line.js'
import type { PaneBox } from './layout.js'
import { paneTitle } from './pane-title.js'
import type { PaneWindow } from './pane-window.js'
import { borderTone, tone } from './tone.js'

export interface TopicPaneProps {
  readonly pane: PaneWindow
  readonly box: PaneBox
  readonly bordered: boolean
  readonly focused: boolean
  readonly color: boolean
  /** Colours the records' headlines; a level-0 instance when colour is off. */
  readonly style: ChalkInstance
}

/**
 * One topic: a title with its count and rate, then its newest records one line each. Focus and
 * selection are marked with characters too (▶, ›), so they show without colour.
 */
export function TopicPane({ pane, box, bordered, focused, color, style }: TopicPaneProps) {
  const title = paneTitle(pane.topic, pane.count, pane.perSecond, focused, box.textWidth, !bordered)
  return (
    <Box
      flexDirection="column"
      width={box.width}
      height={box.height}
      overflow="hidden"
      {...(bordered ? { borderStyle: focused ? 'double' : 'single' } : {})}
      {...borderTone(color && focused, 'cyan')}
    >
      <Text wrap="truncate-end" bold={color} {...tone(color && focused, 'cyan')}>
        {title}
      </Text>
      {pane.entries.map((entry) => {
        const selected = entry.seq === pane.selectedSeq
        return (
          <Text key={entry.seq} wrap="truncate-end" inverse={color && selected}>
            {selected ? '› ' : '  '}
            {styleCompactLine(entry.record, box.textWidth - 2, style)}
          </Text>
        )
      })}
    </Box>
  )
}
