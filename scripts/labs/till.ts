/**
 * A till for the labs: prints valid sale lines as NDJSON, for curl to send to the gateway
 * (`npx node scripts/labs/till.ts --count 50 --receipt LAB1- | curl … --data-binary @-`).
 * Shell alone cannot make UUIDv7 event ids or tax that adds up; the demo's own line maker can.
 */
import { parseArgs } from 'node:util'
import { referenceStores } from '../../src/domain/reference-data.ts'
import { demoLine } from '../../src/cli/demo/traffic.ts'

const HELP = `Usage: npx node scripts/labs/till.ts --receipt <prefix> [options]

Prints sale lines (one JSON object a line) of one store, each on its own receipt <prefix><i>.

Options:
  --count <n>         How many lines (default 10, at most 10000).
  --receipt <prefix>  Receipt id prefix, e.g. LAB1-run42- (letters, digits, . _ : -).
  --store <id>        A store of the reference data (default S0001).
  --minutes-ago <m>   Till time: spread over the last m minutes (default 0: now), as an offline till uploads.
  --poison            SALE lines naming an original receipt: the gateway takes them, the database refuses them.
  -h, --help          Show this help.`

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '10' },
      receipt: { type: 'string' },
      store: { type: 'string', default: 'S0001' },
      'minutes-ago': { type: 'string', default: '0' },
      poison: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const count = Number(values.count)
  const minutes = Number(values['minutes-ago'])
  const store = referenceStores().find((s) => s.store_id === values.store)
  const problem =
    values.receipt === undefined || !/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(values.receipt)
      ? '--receipt <prefix> is needed (letters, digits, . _ : -)'
      : !Number.isInteger(count) || count < 1 || count > 10_000
        ? '--count takes a whole number from 1 to 10000'
        : !Number.isFinite(minutes) || minutes < 0 || minutes > 1440
          ? '--minutes-ago takes minutes from 0 to 1440'
          : store === undefined
            ? `no store ${values.store} in the reference data (S0001…S0200)`
            : undefined
  if (problem !== undefined || store === undefined) {
    process.stderr.write(`till: ${problem ?? 'bad arguments'}\n`)
    return 2
  }
  const end = Date.now()
  const start = end - minutes * 60_000
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const at = count === 1 ? start : start + Math.floor(((end - start) * i) / count)
    const line = demoLine(store, `${values.receipt}${i}`, at, i)
    lines.push(JSON.stringify(values.poison ? { ...line, original_receipt_id: 'RC-elsewhere' } : line))
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  return 0
}

process.exitCode = main(process.argv.slice(2))
