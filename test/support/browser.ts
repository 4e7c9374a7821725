/**
 * A real browser for panel tests: Debian's chromium (installed by .ci/run; never a downloaded
 * one) driven by playwright-core, headless, with a fresh profile and no background networking
 * (the machines have no internet). Screenshots go to test-artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { ROOT } from './harness.ts'

export const CHROMIUM = process.env.SRETL_TEST_CHROMIUM ?? '/usr/bin/chromium'
export const ARTIFACTS = join(ROOT, 'test-artifacts')

export interface TestBrowser {
  readonly context: BrowserContext
  readonly page: Page
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function launchBrowser(profileParent: string): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does)`,
    )
  }
  const context = await chromium.launchPersistentContext(mkdtempSync(join(profileParent, 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  mkdirSync(ARTIFACTS, { recursive: true })
  return {
    context,
    page,
    async screenshot(name) {
      const path = join(ARTIFACTS, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    async close() {
      await context.close()
      if (errors.length > 0) throw new Error(`the panel threw in the browser: ${errors.join('; ')}`)
    },
  }
}
