import { describe, expect, it } from 'vitest'
import type { DemoEvent } from '../../../src/demo/demo-context.js'
import {
  fitTranscript,
  rowsFromLastProblem,
  SHOW_MAX_LINES,
  transcriptLines,
} from '../../../src/tui/demo/transcript.js'
import { truncateText, wrapText } from '../../../src/tui/demo/wrap-text.js'

const rows = (events: DemoEvent[], width: number) =>
  transcriptLines(events, width).map((line) => `${line.mark}${line.text}`)

describe('wrapText', () => {
  it('wraps at spaces and keeps the text’s own line breaks', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four'])
    expect(wrapText('a\nb c', 10)).toEqual(['a', 'b c'])
  })

  it('cuts a word longer than the line across lines, losing nothing', () => {
    expect(wrapText('go http://127.0.0.1:4000/unkill', 10)).toEqual([
      'go',
      'http://127',
      '.0.0.1:400',
      '0/unkill',
    ])
  })
})

describe('truncateText', () => {
  it('marks a cut with …, and leaves short text alone', () => {
    expect(truncateText('abcdef', 4)).toBe('abc…')
    expect(truncateText('abc', 4)).toBe('abc')
  })
})

describe('transcriptLines', () => {
  it('marks commands like a shell prompt and wraps them whole, so they can be retyped', () => {
    const line = 'riskctl generate --mode panic --account 12345 --rate 50 --duration 120'
    const shown = rows([{ type: 'command', line }], 40)
    expect(shown[0]).toMatch(/^\$ riskctl generate/)
    expect(shown.every((row) => row.length <= 40)).toBe(true)
    expect(shown.map((row) => row.slice(2)).join(' ')).toBe(line)
  })

  it('cuts outputs to the width and to SHOW_MAX_LINES lines', () => {
    const text = Array.from({ length: 20 }, (_, n) => `line ${n} ${'x'.repeat(50)}`).join('\n')
    const shown = rows([{ type: 'show', text }], 30)
    expect(shown).toHaveLength(SHOW_MAX_LINES)
    expect(shown[0]).toBe(`  line 0 ${'x'.repeat(20)}…`)
    expect(shown[0]).toHaveLength(30)
    expect(shown.at(-1)).toBe('  … 9 more lines')
  })

  it('shows a problem with every remedy, wrapped rather than cut', () => {
    const shown = rows(
      [
        {
          type: 'problem',
          text: 'No KILL for ACCOUNT:12345 after 20 s.',
          remedies: ['Check the detector runs.', 'Raise the panic rate to 100.'],
        },
      ],
      24,
    )
    expect(shown).toEqual([
      '✘ No KILL for',
      '  ACCOUNT:12345 after 20',
      '  s.',
      '  Try this:',
      '  - Check the detector',
      '    runs.',
      '  - Raise the panic rate',
      '    to 100.',
    ])
  })

  it('marks narration and confirmations', () => {
    expect(
      rows(
        [
          { type: 'say', text: 'hello' },
          { type: 'ok', text: 'done' },
        ],
        20,
      ),
    ).toEqual(['  hello', '✔ done'])
  })
})

describe('fitTranscript', () => {
  const lines = transcriptLines(
    Array.from({ length: 10 }, (_, n): DemoEvent => ({ type: 'say', text: `event ${n}` })),
    40,
  )

  it('keeps the newest rows and says how many earlier ones gave way', () => {
    const fitted = fitTranscript(lines, 4)
    expect(fitted.map((line) => `${line.mark}${line.text}`)).toEqual([
      '↑ 7 earlier lines',
      '  event 7',
      '  event 8',
      '  event 9',
    ])
  })

  it('keeps everything when it fits, and nothing in no room', () => {
    expect(fitTranscript(lines, 10)).toHaveLength(10)
    expect(fitTranscript(lines, 0)).toEqual([])
  })
})

describe('rowsFromLastProblem', () => {
  it('counts the rows a problem and its remedies need, to the end of the transcript', () => {
    const lines = transcriptLines(
      [
        { type: 'say', text: 'before' },
        { type: 'problem', text: 'No DROP yet.', remedies: ['One.', 'Two.'] },
      ],
      40,
    )
    expect(rowsFromLastProblem(lines)).toBe(4)
    expect(rowsFromLastProblem(lines.slice(0, 1))).toBe(0)
  })
})
