import { useStdout } from 'ink'
import { useEffect, useState } from 'react'
import { DEFAULT_SIZE, type TerminalSize } from './layout.js'

/** The terminal's size, updated on resize so the layout is recomputed (Ink alone only re-wraps). */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout()
  const [size, setSize] = useState(() => measure(stdout))
  useEffect(() => {
    const onResize = (): void => setSize(measure(stdout))
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return size
}

function measure(stdout: NodeJS.WriteStream): TerminalSize {
  // A test stream or a pipe may have no size at all.
  return { columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows }
}
