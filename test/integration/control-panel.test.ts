/**
 * The web panel in a real browser (Debian's chromium through playwright-core) against real
 * components: sign in with the keyboard, live charts, pause, the rate slider, refusals, a dead
 * letter replayed until it lands. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { getJson, startComponent, type RunningComponent } from '../support/components.ts'
import { launchBrowser, type TestBrowser } from '../support/browser.ts'
import { startControlWithUsers, type TestUsers } from '../support/control.ts'
import { encodeEvent, makeSaleLine } from '../support/events.ts'
import { configFor, pipelineEnv, waitFor } from '../support/harness.ts'
import { produce, startChildLander, type ChildLander } from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

let env: Record<string, string>
let simulator: RunningComponent
let gateway: RunningComponent
let lander: ChildLander
let control: RunningComponent
let users: TestUsers
let browser: TestBrowser
let page: Page

const db = useTestDatabase({
  setUp: startComponentsAndBrowser,
  teardown: async () => {
    await browser?.close()
    await Promise.all([control?.stop(), simulator?.stop(), gateway?.stop()])
  },
})

async function startComponentsAndBrowser(): Promise<void> {
  ;({ env } = await pipelineEnv(db, {
    RATE_PER_SEC: '50',
    SIMULATOR_MAX_RATE_PER_SEC: '2000',
    SIMULATOR_SEED: 'panel',
    LANDER_LAG_INTERVAL_MS: '500',
  }))
  ;[simulator, gateway, lander] = await Promise.all([
    startComponent('simulator', env),
    startComponent('gateway', { ...env, GATEWAY_ALLOW_DEV_KEY: 'true' }),
    startChildLander(env),
  ])
  ;({ control, users } = await startControlWithUsers({
    ...env,
    SIMULATOR_URL: simulator.url,
    GATEWAY_URL: gateway.url,
    LANDER_URL: lander.url,
  }))
  browser = await launchBrowser(env.SRETL_HOME ?? '')
  page = browser.page
}

const text = (selector: string) => page.locator(selector).innerText()
const legend = (chart: string, series: string) =>
  text(`[data-chart="${chart}"] [data-series="${series}"] .value`)
const toNumber = (s: string) => Number(s.replaceAll(',', ''))
const simulatorStatus = () =>
  getJson<{ state: string; details: { baseRatePerSec: number } }>(`${simulator.url}/status`)

test('an operator should sign in with the keyboard alone, after a wrong password is explained', async () => {
  await page.goto(`${control.url}/`)
  await page.getByLabel('User name').waitFor()
  assert.equal(
    await page.evaluate('document.activeElement && document.activeElement.id'),
    'login-user',
    'the user name field has the focus',
  )
  await page.keyboard.type(users.operator.user)
  await page.keyboard.press('Tab')
  await page.keyboard.type('not-the-password')
  await page.keyboard.press('Enter')
  await page.getByText('wrong user name or password').waitFor()
  await page.getByLabel('Password').focus()
  await page.keyboard.type(users.operator.password)
  await page.keyboard.press('Enter')
  await page.locator('#who-text').getByText('otto (operator)').waitFor()
  assert.equal(await page.getByRole('navigation', { name: 'Sections' }).isVisible(), true)
})

test('the overview should show the live pipeline: charts that move, component cards, a health summary', async () => {
  await page.locator('[data-component="lander"] .state').getByText('RUNNING').waitFor()
  const first = await text('#updated')
  await waitFor(async () => (await text('#updated')) !== first, { message: 'the charts update' })
  await waitFor(async () => toNumber(await legend('events-in', 'eventsIn')) > 20, {
    message: 'events in per second show',
  })
  await waitFor(async () => toNumber(await legend('rows-landed', 'rowsLanded')) > 20, {
    message: 'rows landed per second show',
  })
  const lines = await page.locator('[data-chart="events-in"] polyline').count()
  assert.ok(lines >= 1, 'the events-in chart draws a line')
  assert.match(await text('#health .headline'), /Healthy/)
  assert.match(
    (await page.locator('[data-chart="events-in"] svg').getAttribute('aria-label')) ?? '',
    /Events in per second over the last 5 minutes: all now/,
  )
  await page.waitForTimeout(3000)
  await browser.screenshot('panel-overview')
  await page.setViewportSize({ width: 820, height: 1180 })
  await browser.screenshot('panel-overview-tablet')
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  )
  assert.ok(overflow <= 0, `no horizontal scrolling at tablet width (${overflow} px too wide)`)
  await page.setViewportSize({ width: 1280, height: 900 })
})

test('a chart and a card should explain themselves on keyboard focus and hover, as their accessible description', async () => {
  const describedBy = (selector: string) =>
    page.evaluate<string>(
      `(() => { const el = document.querySelector(${JSON.stringify(selector)}); const ids = (el && el.getAttribute('aria-describedby')) || ''; return ids.split(' ').map((id) => (document.getElementById(id) || {}).textContent || '').join(' ') })()`,
    )
  const focused = (attribute: string) =>
    page.evaluate<string | null>(
      `document.activeElement && document.activeElement.getAttribute('${attribute}')`,
    )
  const lagNote = page.locator('#chart-lag-seconds-about')
  assert.equal(await lagNote.isVisible(), false, 'a note is hidden until asked for')

  await page.locator('[data-chart="lag-messages"]').focus()
  await page.keyboard.press('Tab')
  assert.equal(await focused('data-chart'), 'lag-seconds', 'Tab moves from chart to chart')
  assert.equal(await lagNote.isVisible(), true, 'the focused chart shows its note')
  assert.match(
    await lagNote.innerText(),
    /Age of the oldest event not yet landed[\s\S]*Normal:[\s\S]*If not:[\s\S]*SretlLagHigh/,
  )
  assert.match(await describedBy('[data-chart="lag-seconds"]'), /^Age of the oldest event not yet landed/)
  assert.equal(
    await page.locator('#chart-lag-messages-about').isVisible(),
    false,
    'the chart left hides its note',
  )
  await browser.screenshot('panel-overview-note')
  await page.keyboard.press('Escape')
  assert.equal(await lagNote.isVisible(), false, 'Escape hides the note')

  await page.locator('[data-component="lander"]').focus()
  const landerNote = page.locator('#card-lander-about')
  assert.equal(await landerNote.isVisible(), true, 'the focused card shows its note')
  assert.match(
    await describedBy('[data-component="lander"]'),
    /The lander, writing sales\.events\.v1 into sales_raw/,
  )
  const updated = await text('#updated')
  await waitFor(async () => (await text('#updated')) !== updated, { message: 'the overview updates' })
  assert.equal(await focused('data-component'), 'lander', 'the card keeps the focus while its figures update')
  assert.equal(await landerNote.isVisible(), true, 'and keeps its note open')

  await page.locator('#main').focus()
  await page.locator('[data-chart="dlq"] figcaption').hover()
  assert.equal(
    await page.locator('#chart-dlq-about').isVisible(),
    true,
    'hovering a chart’s title shows its note',
  )
  assert.match(await page.locator('#chart-dlq-about').innerText(), /dead-letter topic/)
  await page.mouse.move(0, 0)
})

test('pausing the simulator should bring events in to 0 and show in the audit log', async () => {
  await page.getByRole('link', { name: 'Controls' }).click()
  const pause = page.getByRole('button', { name: 'Pause simulator' })
  await pause.waitFor()
  await page.getByLabel('Reason (for the audit log, optional)').first().fill('browser test')
  await pause.focus()
  await page.keyboard.press('Enter')
  await page.locator('#command-result').getByText('simulator paused.').waitFor()
  assert.equal((await simulatorStatus()).state, 'PAUSED')
  await page.getByRole('link', { name: 'Overview' }).click()
  await waitFor(async () => (await legend('events-in', 'eventsIn')) === '0', {
    message: 'events in falls to 0',
  })
  await page
    .locator('#health')
    .getByText(/The simulator is paused \(browser test\)/)
    .waitFor()
  await page.getByRole('link', { name: 'Audit log' }).click()
  const row = page
    .locator('#audit-table tbody tr', { hasText: 'simulator' })
    .filter({ hasText: 'pause' })
    .first()
  await row.waitFor()
  assert.match(
    await row.innerText(),
    /otto \(operator\)\s+pause\s+simulator\s+ok\s+RUNNING → PAUSED \(why: browser test\)/,
  )
  await browser.screenshot('panel-audit')
  await page.getByRole('link', { name: 'Controls' }).click()
  await page.getByRole('button', { name: 'Resume simulator' }).click()
  await page.locator('#command-result').getByText('simulator resumed.').waitFor()
})

test('moving the rate slider should set the rate and the actual rate should follow', async () => {
  const slider = page.getByLabel('Rate (events per second)')
  await slider.fill('150')
  assert.equal(await page.getByLabel('Exact rate').inputValue(), '150')
  await page.getByRole('button', { name: 'Set rate' }).click()
  await page.locator('#command-result').getByText('simulator rate set to 150 events/s.').waitFor()
  assert.equal((await simulatorStatus()).details.baseRatePerSec, 150)
  await waitFor(
    async () => {
      const actual = Number(await page.locator('#rate-now').getAttribute('data-actual'))
      return actual > 120 && actual < 180
    },
    { message: 'the actual rate shown follows to about 150/s' },
  )
})

test('a rate above the cap should be refused with the explanation, and a big jump asks first', async () => {
  await page.getByLabel('Exact rate').fill('5000')
  await page.getByRole('button', { name: 'Set rate' }).click()
  await page
    .locator('#command-result')
    .getByText(/5,000 events\/s is above the safe cap of 2,000 events\/s/)
    .waitFor()
  await page.getByLabel('Exact rate').fill('1500')
  await page.getByRole('button', { name: 'Set rate' }).click()
  const confirm = page.getByRole('alertdialog')
  await confirm.getByText(/raising the rate from 150 events\/s to 1,500 events\/s is 10×/).waitFor()
  await browser.screenshot('panel-controls-confirm')
  assert.equal(
    await page.evaluate('document.activeElement && document.activeElement.id'),
    'confirm-yes',
    'the confirmation takes the focus',
  )
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  assert.equal(
    (await simulatorStatus()).details.baseRatePerSec,
    150,
    'refused and cancelled changes change nothing',
  )
})

test('a dead letter should be inspected and, after the fix, replayed from the panel and land', async () => {
  const owner = db.pool('sretl_owner')
  await owner.query("ALTER TABLE sales_raw ADD CONSTRAINT panel_blocked_sku CHECK (sku <> 'SKU-PANEL')")
  const event = makeSaleLine({ sku: 'SKU-PANEL', store_id: 'S077', receipt_id: 'RC-panel' })
  await produce(configFor(env).kafka, [{ key: event.store_id, value: encodeEvent(event) }])
  await page.getByRole('link', { name: 'Dead letters' }).click()
  await page.getByRole('rowheader', { name: 'EVENT_DB_REJECTED' }).waitFor({ timeout: 30_000 })
  const inspect = page.getByRole('button', { name: /^Inspect / }).first()
  await inspect.waitFor()
  await inspect.click()
  await page
    .locator('#dlq-inspect pre')
    .first()
    .getByText(/"sku":"SKU-PANEL"/)
    .waitFor()
  await owner.query('ALTER TABLE sales_raw DROP CONSTRAINT panel_blocked_sku')
  await page.getByRole('button', { name: 'Replay this dead letter' }).click()
  await page
    .locator('#dlq-result')
    .getByText(/1 replayed to/)
    .waitFor()
  await waitFor(
    async () => {
      const r = await db
        .pool('sretl_reader')
        .query("SELECT count(*)::int AS n FROM sales_raw WHERE sku = 'SKU-PANEL'")
      return (r.rows[0] as { n: number }).n === 1
    },
    { message: 'the replayed dead letter lands once' },
  )
  await browser.screenshot('panel-dead-letters')
})

test('the business view should list the last hour’s sales by store as the API computes them, and open a store', async () => {
  await page.getByRole('link', { name: 'Business' }).click()
  const firstRow = page.locator('#business-stores-table tbody tr').first()
  await firstRow.waitFor({ timeout: 30_000 })
  const storeId = (await firstRow.getAttribute('data-store')) ?? ''
  // the page's own session asks the API
  const answer = await page.evaluate(async () => {
    const response = await fetch('/api/v1/business')
    return (await response.json()) as { lastHour: { stores: { storeId: string }[] } }
  })
  assert.ok(
    answer.lastHour.stores.some((s) => s.storeId === storeId),
    `the panel's busiest store ${storeId} is one the API lists`,
  )
  assert.match(await text('#business-totals'), /[A-Z]{3} · last hour/)
  assert.match(await text('#business-asof'), /Last hour: \d\d:\d\d–\d\d:\d\d UTC/)
  await page.getByRole('button', { name: storeId, exact: true }).click()
  await page.locator(`#business-store-detail [data-store="${storeId}"] h3`).waitFor()
  assert.equal(
    await page.evaluate<string>('document.activeElement && document.activeElement.tagName'),
    'H3',
    'focus moves to the opened store',
  )
  await page.locator('#chart-store-rolling').waitFor()
  assert.ok((await page.locator('#business-top table').count()) >= 1, 'today’s top SKUs are listed')
  await browser.screenshot('panel-business')
})
