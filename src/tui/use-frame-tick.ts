import { useEffect, useState } from 'react'

/**
 * Re-renders every `intervalMs`. Records arrive in the background without touching React, so a
 * topic at hundreds of records a second still costs a bounded number of frames.
 */
export function useFrameTick(intervalMs: number): number {
  const [frame, setFrame] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setFrame((previous) => previous + 1), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return frame
}
