import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LabFormatError, parseLab } from '../../../scripts/labs/parse.ts'

const SECTIONS = '## Goal\n\ng\n\n## Steps\n\n## Expected output\n\n## What just happened\n'
const lab = (body: string): string => `# A lab\n\n${SECTIONS}\n${body}`
const fence = '```'

test('parseLab should turn sh lab blocks into steps and attach the expected block after each', () => {
  const parsed = parseLab(
    lab(
      [
        `${fence}sh lab`,
        'echo one',
        'echo two',
        fence,
        '',
        'Some prose.',
        '',
        `${fence}expected`,
        '^one$',
        '',
        'tw[o]',
        fence,
        `${fence}sh lab retry=30 timeout=120`,
        'curl -s x',
        fence,
        `${fence}expected`,
        '"ok"',
        fence,
      ].join('\n'),
    ),
    'x.md',
  )
  assert.equal(parsed.title, 'A lab')
  assert.equal(parsed.steps.length, 2)
  const [first, second] = parsed.steps
  assert.equal(first?.command, 'echo one\necho two')
  assert.deepEqual(
    first?.expected.map((r) => r.source),
    ['^one$', 'tw[o]'],
  )
  assert.ok(first?.expected[0]?.test('zero\none\n'), 'expectations are multiline')
  assert.equal(first?.retrySeconds, 0)
  assert.equal(first?.timeoutSeconds, 60)
  assert.equal(first?.line, 13)
  assert.equal(second?.retrySeconds, 30)
  assert.equal(second?.timeoutSeconds, 120)
})

test('parseLab should leave sh manual blocks and other languages to people', () => {
  const parsed = parseLab(
    lab(
      `${fence}sh manual\nxdg-open http://x\n${fence}\n${fence}sql\nSELECT 1;\n${fence}\n${fence}sh lab\ntrue\n${fence}\n`,
    ),
    'x.md',
  )
  assert.deepEqual(
    parsed.steps.map((s) => s.command),
    ['true'],
  )
})

test('parseLab should refuse a lab that breaks the convention, naming file and line', () => {
  const cases: [string, RegExp][] = [
    [lab(`${fence}sh\nls\n${fence}\n`), /x\.md:\d+: a shell block says "lab".*or "manual"/],
    [lab(`${fence}bash\nls\n${fence}\n`), /says "lab"/],
    [lab(`${fence}expected\nx\n${fence}\n`), /expected block follows the sh lab block/],
    [lab(`${fence}sh manual\nls\n${fence}\n${fence}expected\nx\n${fence}\n`), /expected block follows/],
    [
      lab(`${fence}sh lab\nls\n${fence}\n${fence}expected\n(unclosed\n${fence}\n`),
      /not a regular expression/,
    ],
    [lab(`${fence}sh lab retry=5\nls\n${fence}\n`), /retry= needs an expected block/],
    [lab(`${fence}sh lab retry=0\nls\n${fence}\n`), /retry= takes whole seconds/],
    [lab(`${fence}sh lab\nls\n`), /x\.md:\d+: a fenced block is not closed/],
    [lab(`${fence}sh manual\nls\n${fence}\n`), /at least one sh lab block/],
    [lab(`${fence}sh lab\n\n${fence}\n`), /empty sh lab block/],
    [`no title\n${SECTIONS}`, /starts with a "# Title"/],
    [
      `# T\n## Goal\n## Steps\n## Expected output\n${fence}sh lab\nls\n${fence}\n`,
      /"## What just happened" is missing/,
    ],
  ]
  for (const [markdown, message] of cases) {
    assert.throws(
      () => parseLab(markdown, 'x.md'),
      (err: unknown) => {
        assert.ok(err instanceof LabFormatError)
        assert.match(err.message, message)
        return true
      },
    )
  }
})
