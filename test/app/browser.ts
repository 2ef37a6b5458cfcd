/**
 * Debian's Chromium driven by playwright-core, for the web app's tests.
 * Playwright's own browser download is not used (nor reachable here):
 * `.ci/run` installs the `chromium` package when it is missing.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { ApiNode } from '../helpers/api.js'

/** Where a test keeps its screenshots (gitignored) */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url))

/** The Chromium to drive: PMESH_CHROMIUM, else Debian's */
export const CHROMIUM = [process.env.PMESH_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(path => path != null && path !== '' && existsSync(path))

export async function launch (): Promise<Browser> {
  if (CHROMIUM == null) throw new Error('Chromium not found')
  return chromium.launch({ executablePath: CHROMIUM, timeout: 60_000 })
}

/**
 * Before the app's scripts: record each desktop notification the page
 * shows, and let the test hide the page. Headless Chromium reports every
 * page visible whatever is in front, so the test sets what the page
 * reads (document.hidden, visibilityState) and fires visibilitychange, as
 * a browser does when the user switches away.
 */
function instrument (): void {
  const w = window as any
  const Real = w.Notification
  w.__notifications = []
  w.Notification = class extends Real {
    constructor (title: string, options?: NotificationOptions) {
      super(title, options)
      w.__notifications.push({ title, body: options?.body })
    }
  }
  let hidden = false
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden })
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' })
  w.__setHidden = (value: boolean) => {
    hidden = value
    document.dispatchEvent(new Event('visibilitychange'))
  }
}

export interface AppPage {
  context: BrowserContext
  page: Page
  /** Every line the page logged to its console, and its errors */
  console: string[]
  /** Requests the page made anywhere but its node: there must be none (no CDN, works offline) */
  foreign: string[]
}

/** A signed-in page of `node`'s app, each in its own browser profile (context) */
export async function openApp (browser: Browser, node: ApiNode, options: { width?: number } = {}): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: 720 } })
  const origin = node.served.api.url
  await context.grantPermissions(['notifications'], { origin })
  await context.addInitScript(instrument)
  const page = await context.newPage()
  const lines: string[] = []
  const foreign: string[] = []
  page.on('console', message => lines.push(`${message.type()}: ${message.text()}`))
  page.on('pageerror', err => lines.push(`pageerror: ${err.message}`))
  // what the page asked of the node and what came back, with times: a failed test prints them all
  const at = (): string => new Date().toISOString().slice(11, 23)
  page.on('request', request => {
    if (!request.url().startsWith(`${origin}/`) && !/^(blob|data):/.test(request.url())) foreign.push(request.url())
    lines.push(`${at()} → ${request.method()} ${request.url().replace(origin, '')}`)
  })
  page.on('response', response => lines.push(`${at()} ← ${response.status()} ${response.url().replace(origin, '')}`))
  page.on('requestfailed', request => lines.push(`${at()} ✗ ${request.url().replace(origin, '')}: ${request.failure()?.errorText ?? ''}`))
  await page.goto(node.served.appLink())
  await page.getByRole('form', { name: 'Your status' }).waitFor({ timeout: 20_000 })
  return { context, page, console: lines, foreign }
}

export async function screenshot (page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true })
  const path = `${ARTIFACTS}${name}.png`
  await page.screenshot({ path })
  return path
}
