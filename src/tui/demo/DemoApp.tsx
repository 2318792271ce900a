import { Chalk } from 'chalk'
import { Box, useInput, useStdin } from 'ink'
import { useMemo, useRef } from 'react'
import type { DemoRunner } from '../../demo/demo-runner.js'
import { DashboardHeader } from '../DashboardHeader.js'
import { fromInkKey } from '../key-press.js'
import { computeLayout, type TerminalSize } from '../layout.js'
import { paneWindow } from '../pane-window.js'
import { DEFAULT_FRAME_MS } from '../TailApp.js'
import type { TailView } from '../tail-view.js'
import { TopicPanes } from '../TopicPanes.js'
import { useFrameTick } from '../use-frame-tick.js'
import { useTerminalSize } from '../use-terminal-size.js'
import { agendaItems, packAgenda } from './agenda.js'
import { DemoHeader } from './DemoHeader.js'
import { demoKeyAction, keysHelp } from './demo-keys.js'
import { computeDemoLayout } from './demo-layout.js'
import { DemoTranscript } from './DemoTranscript.js'
import { fitTranscript, rowsFromLastProblem, transcriptLines } from './transcript.js'

/** What the screen needs of the walkthrough: a DemoRunner, read at every frame and driven by keys. */
export type DemoControls = Pick<DemoRunner, 'snapshot' | 'isLast' | 'next' | 'back' | 'rerun'>

export interface DemoAppProps {
  readonly runner: DemoControls
  /** The live topics, fed in the background from the session's log. */
  readonly view: TailView
  readonly color: boolean
  readonly auto: boolean
  /** Called once, on q or Ctrl+C (quit) or Enter on the last part; the caller stops the runner. */
  readonly onFinish: (quit: boolean, interrupted: boolean) => void
  readonly frameMs?: number
  readonly size?: TerminalSize
  readonly now?: () => number
}

/** An agenda taller than this gives way: the parts to come are the ones left out. */
const MAX_AGENDA_ROWS = 3

/**
 * The walkthrough on one screen: the current part on top (title, agenda, keys, transcript) and the
 * live topics below, as `riskctl tail` shows them. Both are read on a timer, never per event or record.
 */
export function DemoApp({
  runner,
  view,
  color,
  auto,
  onFinish,
  frameMs = DEFAULT_FRAME_MS,
  size,
  now = Date.now,
}: DemoAppProps) {
  const { isRawModeSupported } = useStdin()
  const terminal = useTerminalSize()
  useFrameTick(frameMs)
  const finished = useRef(false)
  const style = useMemo(() => new Chalk(color ? {} : { level: 0 }), [color])

  useInput(
    (input, key) => {
      if (finished.current) return
      const action = demoKeyAction(fromInkKey(input, key), { auto, isLast: runner.isLast })
      if (action === 'quit' || action === 'finish' || action === 'interrupt') {
        finished.current = true
        onFinish(action !== 'finish', action === 'interrupt')
      } else if (action !== undefined) void runner[action]()
    },
    { isActive: isRawModeSupported },
  )

  const screen = size ?? terminal
  const snapshot = runner.snapshot()
  const part = snapshot.parts[snapshot.current]
  const { width } = computeLayout(screen, view.panes.length)
  const agenda = packAgenda(agendaItems(snapshot), width).slice(0, MAX_AGENDA_ROWS)
  const lines = transcriptLines(snapshot.events, width)
  const layout = computeDemoLayout({
    size: screen,
    paneCount: view.panes.length,
    headerRows: agenda.length + 2,
    transcriptMinRows: rowsFromLastProblem(lines),
  })
  const at = now()
  const panes = layout.panes
  return (
    <Box flexDirection="column" width={width}>
      <DemoHeader
        title={part?.title}
        number={snapshot.current + 1}
        total={snapshot.parts.length}
        status={part?.status}
        agenda={agenda}
        keys={keysHelp({ auto, isLast: runner.isLast })}
        width={width}
        color={color}
      />
      <DemoTranscript
        lines={fitTranscript(lines, layout.transcriptRows)}
        width={width}
        height={layout.transcriptRows}
        color={color}
      />
      <DashboardHeader
        dashboard={view.snapshot(at)}
        paused={false}
        width={width}
        color={color}
        title="riskctl tail"
      />
      {panes === undefined ? null : (
        <TopicPanes
          panes={view.panes.map((pane, index) =>
            paneWindow(pane, undefined, panes.panes[index]?.lines ?? 0, at),
          )}
          layout={panes}
          color={color}
          style={style}
        />
      )}
    </Box>
  )
}
