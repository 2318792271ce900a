import { Chalk } from 'chalk'
import { Box, useApp, useInput, useStdin } from 'ink'
import { useCallback, useMemo, useRef, useState } from 'react'
import { isRiskctlError } from '../errors.js'
import { DashboardHeader } from './DashboardHeader.js'
import { fromInkKey } from './key-press.js'
import { reduceKey } from './key-reducer.js'
import { computeLayout, type TerminalSize } from './layout.js'
import type { PublishOperatorCommand } from './operator-request.js'
import { paneWindow } from './pane-window.js'
import { RecordDetail } from './RecordDetail.js'
import { StatusBar } from './StatusBar.js'
import type { TailView } from './tail-view.js'
import { TopicPanes } from './TopicPanes.js'
import { initialUiState, withStatus, type UiState } from './ui-state.js'
import { useFrameTick } from './use-frame-tick.js'
import { useTerminalSize } from './use-terminal-size.js'

export interface TailAppProps {
  readonly view: TailView
  readonly color: boolean
  readonly publish: PublishOperatorCommand
  /** Told when `p` pauses or resumes, so the feed stops or goes on taking records. */
  readonly onPauseChange?: (paused: boolean) => void
  /** Ctrl+C in the view: the command ends as interrupted (130), not as quit. */
  readonly onInterrupt?: () => void
  /** Redraw interval: the view is read this often, whatever the record rate. */
  readonly frameMs?: number
  /** Overrides the terminal's size (tests, or a host that draws the view in part of the screen). */
  readonly size?: TerminalSize
  readonly now?: () => number
}

export const DEFAULT_FRAME_MS = 150

/** The live view: header, panes (or one record expanded), status line, and the keys that drive them. */
export function TailApp({
  view,
  color,
  publish,
  onPauseChange,
  onInterrupt,
  frameMs = DEFAULT_FRAME_MS,
  size,
  now = Date.now,
}: TailAppProps) {
  const { exit } = useApp()
  const { isRawModeSupported } = useStdin()
  const terminal = useTerminalSize()
  useFrameTick(frameMs)
  const [ui, setUi] = useState<UiState>(() => initialUiState(view.panes.length))
  // Key handling and publish results read the latest state, not the one of the render they were created in.
  const current = useRef(ui)
  const pausedAt = useRef<number | undefined>(undefined)
  const style = useMemo(() => new Chalk(color ? {} : { level: 0 }), [color])

  const update = useCallback((next: UiState) => {
    current.current = next
    setUi(next)
  }, [])

  useInput(
    (input, key) => {
      const result = reduceKey(current.current, fromInkKey(input, key), view.panes)
      if (result.state.paused !== current.current.paused) {
        // Told at once rather than after the next render, so the feed stops with the key press.
        pausedAt.current = result.state.paused ? now() : undefined
        onPauseChange?.(result.state.paused)
      }
      update(result.state)
      if (result.effect?.type === 'quit') {
        if (result.effect.interrupted === true) onInterrupt?.()
        exit()
      }
      if (result.effect?.type === 'publish') {
        publish(result.effect.request).then(
          (text) => update(withStatus(current.current, { tone: 'ok', text })),
          (error: unknown) => update(withStatus(current.current, { tone: 'error', text: errorText(error) })),
        )
      }
    },
    { isActive: isRawModeSupported },
  )

  const layout = computeLayout(size ?? terminal, view.panes.length)
  // Paused, the rates hold still with the rest of the view instead of decaying to zero.
  const at = pausedAt.current ?? now()
  const windows = view.panes.map((pane, index) =>
    paneWindow(pane, ui.selected[index], layout.panes[index]?.lines ?? 0, at),
  )
  return (
    <Box flexDirection="column" width={layout.width}>
      <DashboardHeader dashboard={view.snapshot(at)} paused={ui.paused} width={layout.width} color={color} />
      {ui.mode.type === 'detail' ? (
        <RecordDetail record={ui.mode.record} width={layout.width} height={layout.bodyHeight} color={color} />
      ) : (
        <TopicPanes panes={windows} layout={layout} focus={ui.focus} color={color} style={style} />
      )}
      <StatusBar mode={ui.mode} status={ui.status} width={layout.width} color={color} />
    </Box>
  )
}

function errorText(error: unknown): string {
  if (isRiskctlError(error)) return [error.message, ...error.suggestions].join(' ')
  return error instanceof Error ? error.message : String(error)
}
