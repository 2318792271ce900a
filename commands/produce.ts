import { createInterface } from 'node:readline'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { ExitCode } from '../src/errors.js'
import { produceLines, type ProduceResult } from '../src/services/produce.js'

export default class Produce extends BaseCommand<typeof Produce, ProduceResult> {
  static override summary = 'Produce JSON records, one per line on stdin, to a topic.'
  static override description =
    "Each line is validated against the topic's contract and keyed by its key field (orders by account_id, commands and state by scope). Invalid lines are reported on stderr with their line number; the valid ones are produced, and the exit code is 1 if any line was rejected. --no-validate sends the lines as they are, to show what the router does with a malformed order."
  static override profileUse = 'connect' as const
  static override examples = [
    `echo '{"order_id":"o-1","ts":1764063000000,"account_id":"12345","symbol":"AAPL","side":"BUY","qty":100,"price":189.5,"strategy":"momentum"}' | <%= config.bin %> produce orders.v1`,
    '<%= config.bin %> produce orders.v1 < orders.jsonl',
    `echo 'not an order' | <%= config.bin %> produce orders.v1 --no-validate`,
  ]
  static override args = {
    topic: Args.string({ description: 'Topic name, e.g. orders.v1', required: true }),
  }
  static override flags = {
    validate: Flags.boolean({ description: "Validate each line against the topic's contract", default: true, allowNo: true }),
  }

  async run(): Promise<ProduceResult> {
    const { style } = this.out
    return produceLines(await this.openLog(), {
      topic: this.args.topic,
      // Ctrl+C ends the input like an end of file: the lines read so far are still produced.
      lines: createInterface({ input: process.stdin, crlfDelay: Infinity, signal: this.stopSignal() }),
      validate: this.flags.validate,
      onRejected: ({ line, problem }) => process.stderr.write(`${style.red(`line ${line}:`)} ${problem}\n`),
    })
  }

  protected override render(result: ProduceResult): void {
    process.stderr.write(`${result.produced} produced to ${result.topic}, ${result.rejected.length} rejected\n`)
  }

  // Exit 1 tells a script that some input was lost, though the valid lines went through.
  protected override exitCodeOf(result: ProduceResult): ExitCode {
    return result.rejected.length > 0 ? ExitCode.unexpected : ExitCode.ok
  }
}
