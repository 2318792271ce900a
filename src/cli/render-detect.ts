import type { DetectStart } from '../services/detect.js'

/** The line `riskctl detect` prints once its engine runs. */
export function renderDetectStart(start: DetectStart): string {
  return start.engine === 'spark'
    ? `riskctl detect: Spark job, checkpoints in ${start.checkpoint} (Ctrl+C stops it)`
    : `riskctl detect: in-process detector on the ${start.log} (Ctrl+C stops it)`
}
