import type { ChalkInstance } from 'chalk'
import { Box } from 'ink'
import type { Layout } from './layout.js'
import type { PaneWindow } from './pane-window.js'
import { TopicPane } from './TopicPane.js'

export interface TopicPanesProps {
  readonly panes: readonly PaneWindow[]
  readonly layout: Layout
  /** The focused pane's index; undefined when nothing is focused (a read-only display). */
  readonly focus?: number | undefined
  readonly color: boolean
  readonly style: ChalkInstance
}

/** The panes side by side or stacked, as the layout says. */
export function TopicPanes({ panes, layout, focus, color, style }: TopicPanesProps) {
  return (
    <Box flexDirection={layout.direction} width={layout.width} height={layout.bodyHeight}>
      {panes.map((pane, index) => {
        const box = layout.panes[index]
        if (box === undefined) return null
        return (
          <TopicPane
            key={pane.topic}
            pane={pane}
            box={box}
            bordered={layout.bordered}
            focused={index === focus}
            color={color}
            style={style}
          />
        )
      })}
    </Box>
  )
}
