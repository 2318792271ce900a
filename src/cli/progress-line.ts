export interface ProgressLine {
  /** Shows the newest progress: over the last one on a terminal, as a line of its own elsewhere. */
  update(text: string): void
  /** Prints a line of its own, below the progress. */
  line(text: string): void
  /** Leaves the progress line standing, so what follows starts on a line of its own. */
  end(): void
}

/** Progress for a person on stderr: one line rewritten in place on a terminal, one line per update in a log. */
export function createProgressLine(live: boolean, stream: NodeJS.WritableStream = process.stderr): ProgressLine {
  let showing = false
  return {
    update(text) {
      if (!live) return void stream.write(`${text}\n`)
      stream.write(`\r${text}\u001b[K`)
      showing = true
    },
    line(text) {
      stream.write(showing ? `\r\u001b[K${text}\n` : `${text}\n`)
      showing = false
    },
    end() {
      if (showing) stream.write('\n')
      showing = false
    },
  }
}
