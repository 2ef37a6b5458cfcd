/**
 * What the web app's browser tests (test/app/app*.spec.ts) share: one
 * Chromium per spec file, and for each test two fresh nodes with their API,
 * connected on 127.0.0.1, and pages that are closed after it (their console
 * printed if it failed). The tests are spread over two files so that they
 * run in two mocha workers (docs/design/018-test-speed.md).
 */
import { apiNode, type ApiNode } from '../helpers/api.js'
import { connect } from '../helpers/nodes.js'
import { CHROMIUM, launch, openApp, type AppPage } from './browser.js'
import type { Browser, Page } from 'playwright-core'

/** Anything that crosses the network gets this long to show up on the page */
export const LIVE_MS = 30_000

export function row (page: Page, node: ApiNode): ReturnType<Page['locator']> {
  return page.locator(`button.contact[data-peer="${node.node.peerId.toString()}"]`)
}

export async function notifications (page: Page): Promise<Array<{ title: string, body: string }>> {
  return page.evaluate(() => (window as any).__notifications)
}

export async function setHidden (page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(value => (window as any).__setHidden(value), hidden)
}

/** Add a contact from the page, by invitation or address */
export async function addFromPage (page: Page, invitationOrAddress: string, name = ''): Promise<void> {
  await page.getByLabel('Invitation or address').fill(invitationOrAddress)
  await page.getByLabel('Name (optional)').fill(name)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
}

export interface AppSession {
  browser?: Browser
  /** The test's two nodes; a test that stops one sets it to undefined */
  a?: ApiNode
  b?: ApiNode
  /** A page of the app signed in to `node`, closed after the test */
  open(node: ApiNode, width?: number): Promise<AppPage>
}

/** Call inside a `describe`: registers the hooks that make and clear an AppSession */
export function appSession (): AppSession {
  const pages: AppPage[] = []
  const s: AppSession = {
    open: async (node, width) => {
      const page = await openApp(s.browser as Browser, node, { width })
      pages.push(page)
      return page
    }
  }
  before(async function () {
    if (CHROMIUM == null) {
      console.log('      skipped: no Chromium (apt-get install chromium, or set PMESH_CHROMIUM to a Chromium binary)')
      this.skip()
    }
    s.browser = await launch()
  })
  after(async () => s.browser?.close())

  beforeEach(async function () {
    if (s.browser == null) this.skip()
    ;[s.a, s.b] = await Promise.all([apiNode(), apiNode()])
    await connect(s.b.node, s.a.node)
  })
  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed'
    for (const p of pages.splice(0)) {
      if (failed) console.log(p.console.join('\n'))
      await p.context.close()
    }
    await Promise.all([s.a?.close(), s.b?.close()])
  })
  return s
}
