/**
 * The web app in a real browser: Debian's Chromium, driven by
 * playwright-core, against two real nodes connected on 127.0.0.1. Each test
 * has its own nodes and browser profiles. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { apiNode, type ApiNode } from '../helpers/api.js'
import { connect } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { CHROMIUM, launch, openApp, screenshot, type AppPage } from './browser.js'
import type { Browser, Page } from 'playwright-core'

/** Anything that crosses the network gets this long to show up on the page */
const LIVE_MS = 30_000

function row (page: Page, node: ApiNode): ReturnType<Page['locator']> {
  return page.locator(`button.contact[data-peer="${node.node.peerId.toString()}"]`)
}

async function notifications (page: Page): Promise<Array<{ title: string, body: string }>> {
  return page.evaluate(() => (window as any).__notifications)
}

async function setHidden (page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(value => (window as any).__setHidden(value), hidden)
}

/** Add a contact from the page, by invitation or address */
async function addFromPage (page: Page, invitationOrAddress: string, name = ''): Promise<void> {
  await page.getByLabel('Invitation or address').fill(invitationOrAddress)
  await page.getByLabel('Name (optional)').fill(name)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
}

describe('web app in Chromium', function () {
  this.timeout(180_000)
  let browser: Browser | undefined
  let a: ApiNode | undefined
  let b: ApiNode | undefined
  const pages: AppPage[] = []

  before(async function () {
    if (CHROMIUM == null) {
      console.log('      skipped: no Chromium (apt-get install chromium, or set PMESH_CHROMIUM to a Chromium binary)')
      this.skip()
    }
    browser = await launch()
  })
  after(async () => browser?.close())

  beforeEach(async function () {
    if (browser == null) this.skip()
    ;[a, b] = await Promise.all([apiNode(), apiNode()])
    await connect(b.node, a.node)
  })
  afterEach(async function () {
    const failed = this.currentTest?.state === 'failed'
    for (const p of pages.splice(0)) {
      if (failed) console.log(p.console.join('\n'))
      await p.context.close()
    }
    await Promise.all([a?.close(), b?.close()])
  })

  async function open (node: ApiNode, width?: number): Promise<AppPage> {
    const page = await openApp(browser as Browser, node, { width })
    pages.push(page)
    return page
  }

  it('signs in by the one-time link: clean address, HttpOnly cookie, no token in the page', async () => {
    const { page, context, foreign } = await open(a as ApiNode)
    const origin = (a as ApiNode).served.api.url
    assert.equal(page.url(), `${origin}/`, 'the code is gone from the address')
    const [cookie] = await context.cookies(origin)
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Strict')
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session')
    const html = await page.content()
    assert.ok(!html.includes((a as ApiNode).token), 'the bearer token is not in the page')
    await page.getByRole('heading', { name: 'Who sees you' }).waitFor()

    // every control has a name a screen reader can say
    const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'))
      .filter(el => ((el as HTMLInputElement).labels?.length ?? 0) === 0 && `${el.getAttribute('aria-label') ?? ''}${el.textContent ?? ''}`.trim() === '')
      .map(el => el.outerHTML.slice(0, 80)))
    assert.deepEqual(unnamed, [])
    // the keyboard reaches every action: Tab to "Create invitation", Enter makes one
    let reached = false
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab')
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Create invitation')
    }
    assert.ok(reached, 'Create invitation is reachable by Tab')
    await page.keyboard.press('Enter')
    assert.match(await page.getByLabel(/^Send them this/).inputValue(), /^pmesh:/)

    // signing out ends the session: the page says how to sign in again, and so does a reload
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByText('pmesh open', { exact: false }).first().waitFor()
    await page.reload()
    await page.getByText('pmesh open', { exact: false }).first().waitFor()
    assert.equal((await context.cookies(origin)).length, 0)
    assert.deepEqual(foreign, [], 'everything the page loads comes from the node')

    // a browser without the link is told how to sign in
    const stranger = await (browser as Browser).newContext()
    try {
      const other = await stranger.newPage()
      await other.goto(`${origin}/`)
      await other.getByText('pmesh open', { exact: false }).first().waitFor()
    } finally {
      await stranger.close()
    }
  })

  it('accepts an invitation made on the other page: each is in the other\'s list, by name, live', async () => {
    const pa = await open(a as ApiNode)
    const pb = await open(b as ApiNode)
    await pa.page.getByLabel('Your name, as they will see it (optional)').fill('Alice')
    await pa.page.getByRole('button', { name: 'Create invitation' }).click()
    const invite = await pa.page.getByLabel(/^Send them this/).inputValue()
    assert.match(invite, /^pmesh:/)
    await screenshot(pa.page, 'invite')

    await addFromPage(pb.page, invite)
    const alice = row(pb.page, a as ApiNode)
    await alice.locator('.name', { hasText: 'Alice' }).waitFor({ timeout: LIVE_MS })
    await pb.page.getByText('accepted: you are in each other\'s contacts').waitFor({ timeout: LIVE_MS })
    // the inviter approved by the invitation itself: no request waits, and B is in A's contact list
    const bobOnA = pa.page.locator('nav.contacts ul[aria-label="Your contacts"]').locator(`button.contact[data-peer="${(b as ApiNode).node.peerId.toString()}"]`)
    await bobOnA.waitFor({ timeout: LIVE_MS })
    assert.equal(await pa.page.locator('li.request').count(), 0)

    await pa.page.getByLabel('Your availability').selectOption('away')
    await pa.page.getByRole('button', { name: 'Set', exact: true }).click()
    await alice.locator('.availability', { hasText: 'away' }).waitFor({ timeout: LIVE_MS })
    await screenshot(pb.page, 'contacts')

    // a contact's unread count is the node's: the page and the CLI agree, and reading clears it in both
    await (b as ApiNode).client.call('send', { body: { to: (a as ApiNode).node.imUri, text: 'thanks for the invite' } })
    await bobOnA.locator('.badge', { hasText: '1' }).waitFor({ timeout: LIVE_MS })
    const unreadOnNode = async (): Promise<number | undefined> => (await (a as ApiNode).client.call('contacts')).contacts.find(c => c.peerId === (b as ApiNode).node.peerId.toString())?.unread
    assert.equal(await unreadOnNode(), 1)
    await bobOnA.click()
    await pa.page.locator('.bubble.in', { hasText: 'thanks for the invite' }).waitFor()
    await waitFor(async () => await unreadOnNode() === 0, 10_000, 'the node to count the message read')

    // A's node stops: B's list shows A offline, with when it was last seen
    await (a as ApiNode).close()
    a = undefined
    await alice.locator('.availability', { hasText: /offline · last seen/ }).waitFor({ timeout: LIVE_MS })
    // with no relay to hold it, a message to A waits in B's outbox until A is seen online, and the page says so
    await alice.click()
    await pb.page.getByLabel(/^Message to/).fill('still there?')
    await pb.page.getByLabel(/^Message to/).press('Enter')
    const queued = pb.page.locator('.bubble.out', { hasText: 'still there?' }).locator('.delivery[data-status="queued"]')
    await queued.waitFor({ timeout: 60_000 })
    assert.match(await queued.innerText(), /queued until seen online/)
    await screenshot(pb.page, 'queued')
  })

  it('approves a watch request with a view, and shows status changes live', async () => {
    const pa = await open(a as ApiNode)
    const pb = await open(b as ApiNode)
    await pa.page.getByLabel('Strangers:').selectOption('ask')
    await waitFor(async () => (await (a as ApiNode).client.call('access')).default === 'ask', 10_000, 'the default policy set from the page')

    await setHidden(pa.page, true)
    await addFromPage(pb.page, (a as ApiNode).node.presUri, 'alice')
    const request = pa.page.locator(`li.request[data-peer="${(b as ApiNode).node.peerId.toString()}"]`)
    await request.waitFor({ timeout: LIVE_MS })
    const notes = await notifications(pa.page)
    assert.ok(notes.some(n => /asks to see your presence/.test(n.title)), `a notification on the hidden page: ${JSON.stringify(notes)}`)
    await setHidden(pa.page, false)
    await screenshot(pa.page, 'request')

    await request.getByLabel('Show').selectOption('full')
    await request.getByRole('button', { name: 'Approve' }).click()
    await pa.page.locator('ul.watchers li', { hasText: 'full' }).waitFor({ timeout: LIVE_MS })

    // B's list shows A online, then the status A sets on its page, without a reload
    const contactA = row(pb.page, a as ApiNode)
    await contactA.waitFor({ timeout: LIVE_MS })
    await pa.page.getByLabel('Your availability').selectOption('busy')
    await pa.page.getByLabel('Your note').fill('in a meeting')
    await pa.page.getByRole('button', { name: 'Set', exact: true }).click()
    await contactA.locator('.availability', { hasText: 'busy' }).waitFor({ timeout: LIVE_MS })
    await contactA.locator('.note', { hasText: 'in a meeting' }).waitFor({ timeout: LIVE_MS })
    await contactA.locator('.availability', { hasText: 'waiting for approval' }).waitFor({ state: 'detached', timeout: LIVE_MS })
    assert.equal(await contactA.locator('.dot').getAttribute('class'), 'dot busy')
    await screenshot(pb.page, 'presence-live')
  })

  it('chats both ways with delivery ticks, unread counts, files and a notification on a hidden page', async () => {
    const pa = await open(a as ApiNode)
    const pb = await open(b as ApiNode)
    await (a as ApiNode).client.call('setPresence', { body: { basic: 'open', availability: 'available', note: 'at my desk' } })
    await addFromPage(pb.page, (a as ApiNode).node.presUri, 'alice')
    await row(pb.page, a as ApiNode).click()
    await pb.page.locator('.presence-line', { hasText: 'at my desk' }).waitFor({ timeout: LIVE_MS })
    await setHidden(pa.page, true)

    await pb.page.getByLabel(/^Message to/).fill('hello from B')
    await pb.page.getByLabel(/^Message to/).press('Enter')
    await pb.page.locator('.bubble.out .delivery[data-status="delivered"]').waitFor({ timeout: LIVE_MS })
    assert.match(await pb.page.locator('.bubble.out .delivery').innerText(), /✓✓ delivered/)

    const contactB = row(pa.page, b as ApiNode)
    await contactB.locator('.badge', { hasText: '1' }).waitFor({ timeout: LIVE_MS })
    assert.equal(await contactB.locator('.badge').getAttribute('aria-label'), '1 unread')
    const notes = await notifications(pa.page)
    assert.ok(notes.some(n => /^Message from/.test(n.title) && n.body === 'hello from B'), `a notification: ${JSON.stringify(notes)}`)
    await setHidden(pa.page, false)

    await contactB.click()
    await pa.page.locator('.bubble.in', { hasText: 'hello from B' }).waitFor()
    await contactB.locator('.badge').waitFor({ state: 'detached' })
    await pa.page.getByLabel(/^Message to/).fill('hi B, A here')
    await pa.page.getByRole('button', { name: 'Send', exact: true }).click()
    await pa.page.locator('.bubble.out .delivery[data-status="delivered"]').waitFor({ timeout: LIVE_MS })
    await pb.page.locator('.bubble.in', { hasText: 'hi B, A here' }).waitFor({ timeout: LIVE_MS })

    await pb.page.locator('#file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('a file for A') })
    await pb.page.locator('.bubble.out', { hasText: 'notes.txt' }).locator('.delivery[data-status="delivered"]').waitFor({ timeout: LIVE_MS })
    await pa.page.locator('.bubble.in', { hasText: 'notes.txt' }).filter({ hasText: 'a file for A' }).waitFor({ timeout: LIVE_MS })
    const inbox = await (a as ApiNode).client.call('messages')
    assert.ok(inbox.messages.some((m: any) => m.subject === 'notes.txt'), 'the file reached A\'s inbox')
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff])
    await pb.page.locator('#file').setInputFiles({ name: 'data.bin', mimeType: 'application/octet-stream', buffer: bytes })
    const binary = pa.page.locator('.bubble.in a', { hasText: 'data.bin' })
    await binary.waitFor({ timeout: LIVE_MS })
    for (const [link, expected] of [[pa.page.locator('.bubble.in a', { hasText: 'notes.txt' }), Buffer.from('a file for A')], [binary, bytes]] as const) {
      const [download] = await Promise.all([pa.page.waitForEvent('download'), link.click()])
      assert.deepEqual(await readFile(await download.path()), expected, `${download.suggestedFilename()} saved as sent`)
    }
    await screenshot(pa.page, 'chat')
    await screenshot(pb.page, 'chat-contact')

    // a narrow window shows the open chat alone, with a way back to the list
    await pa.page.setViewportSize({ width: 380, height: 720 })
    assert.equal(await pa.page.locator('nav.contacts').isVisible(), false)
    await screenshot(pa.page, 'chat-narrow')
    await pa.page.getByRole('button', { name: 'Back to contacts' }).click()
    assert.equal(await pa.page.locator('nav.contacts').isVisible(), true)

    // the history is the node's: a reloaded page shows both sides again, with each outcome
    await pa.page.setViewportSize({ width: 1100, height: 720 })
    await pa.page.reload()
    await contactB.click()
    await pa.page.locator('.bubble.in', { hasText: 'hello from B' }).waitFor()
    await pa.page.locator('.bubble.out', { hasText: 'hi B, A here' }).locator('.delivery[data-status="delivered"]').waitFor()
  })

  it('blocks a contact politely: they see you offline, their messages never show, and unblocking lets them through', async () => {
    const pa = await open(a as ApiNode)
    const pb = await open(b as ApiNode)
    await (b as ApiNode).client.call('send', { body: { to: (a as ApiNode).node.imUri, text: 'before the block' } })
    const contactB = row(pa.page, b as ApiNode)
    await contactB.click()
    await pa.page.getByRole('button', { name: 'Block' }).click()
    await pa.page.getByText('You blocked').waitFor()
    await pa.page.getByRole('button', { name: 'Back to contacts' }).or(pa.page.getByRole('button', { name: 'Who sees you' })).first().click()
    await pa.page.locator('ul.rules li', { hasText: 'blocked' }).waitFor()

    // a polite block: B is told nothing, sees A offline, and its message is delivered into nothing
    await addFromPage(pb.page, (a as ApiNode).node.presUri, 'alice')
    const contactA = row(pb.page, a as ApiNode)
    await contactA.locator('.availability', { hasText: 'offline' }).waitFor({ timeout: LIVE_MS })
    await contactA.click()
    await pb.page.getByLabel(/^Message to/).fill('are you there?')
    await pb.page.getByLabel(/^Message to/).press('Enter')
    await pb.page.locator('.bubble.out', { hasText: 'are you there?' }).locator('.delivery:not([data-status="sending"])').waitFor({ timeout: LIVE_MS })
    await screenshot(pb.page, 'blocked')
    await contactB.click()
    assert.equal(await pa.page.locator('.bubble.in', { hasText: 'are you there?' }).count(), 0, 'a blocked sender\'s message does not reach the page')

    await pa.page.getByRole('button', { name: 'Unblock' }).click()
    await pa.page.locator('#message').waitFor()
    await pb.page.getByLabel(/^Message to/).fill('now?')
    await pb.page.getByLabel(/^Message to/).press('Enter')
    await pa.page.locator('.bubble.in', { hasText: 'now?' }).waitFor({ timeout: LIVE_MS })
  })
})
