/**
 * The web app in a real browser: Debian's Chromium, driven by
 * playwright-core, against two real nodes connected on 127.0.0.1. Each test
 * has its own nodes and browser profiles. Screenshots go to test-artifacts/.
 * Signing in and inviting here; watching, chatting and blocking in
 * app-chat.spec.ts (test/app/session.ts has the shared setup).
 */
import assert from 'node:assert/strict'
import type { ApiNode } from '../helpers/api.js'
import { waitFor } from '../helpers/temp.js'
import { screenshot } from './browser.js'
import { addFromPage, appSession, LIVE_MS, row } from './session.js'
import type { Browser } from 'playwright-core'

describe('web app in Chromium: signing in and invitations', function () {
  this.timeout(180_000)
  const s = appSession()

  it('signs in by the one-time link: clean address, HttpOnly cookie, no token in the page', async () => {
    const { page, context, foreign } = await s.open(s.a as ApiNode)
    const origin = (s.a as ApiNode).served.api.url
    assert.equal(page.url(), `${origin}/`, 'the code is gone from the address')
    const [cookie] = await context.cookies(origin)
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Strict')
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session')
    const html = await page.content()
    assert.ok(!html.includes((s.a as ApiNode).token), 'the bearer token is not in the page')
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
    const stranger = await (s.browser as Browser).newContext()
    try {
      const other = await stranger.newPage()
      await other.goto(`${origin}/`)
      await other.getByText('pmesh open', { exact: false }).first().waitFor()
    } finally {
      await stranger.close()
    }
  })

  it('shows how to sign in on a page loaded in a background tab, where the node answers before the page listens', async () => {
    const origin = (s.a as ApiNode).served.api.url
    const context = await (s.browser as Browser).newContext()
    try {
      // a tab in the background gets no animation frames, so the page's components start listening
      // for changes late (100 ms): the node's 401 comes first and must not be lost
      await context.addInitScript(() => { window.requestAnimationFrame = () => 0 })
      const page = await context.newPage()
      await page.goto(`${origin}/`)
      await page.getByText('pmesh open', { exact: false }).first().waitFor({ timeout: 10_000 })
    } finally {
      await context.close()
    }
  })

  it('keeps asking a node that does not answer at first, says so, and shows the page once it does', async () => {
    const { page } = await s.open(s.a as ApiNode)
    // the node's first two answers are lost (a node restarting, a dropped connection)
    let refused = 0
    await page.route('**/v1/id', async route => {
      if (refused < 2) {
        refused++
        await route.abort('connectionrefused')
      } else {
        await route.continue()
      }
    })
    await page.reload()
    await page.getByText('The node is not reachable', { exact: false }).first().waitFor()
    await page.getByText('trying again', { exact: false }).first().waitFor()
    await page.getByRole('form', { name: 'Your status' }).waitFor({ timeout: 20_000 })
    assert.equal(refused, 2)
    assert.equal(await page.getByText('trying again', { exact: false }).count(), 0, 'the error is gone once the node answered')
  })

  it('accepts an invitation made on the other page: each is in the other\'s list, by name, live', async () => {
    const pa = await s.open(s.a as ApiNode)
    const pb = await s.open(s.b as ApiNode)
    await pa.page.getByLabel('Your name, as they will see it (optional)').fill('Alice')
    await pa.page.getByRole('button', { name: 'Create invitation' }).click()
    const invite = await pa.page.getByLabel(/^Send them this/).inputValue()
    assert.match(invite, /^pmesh:/)
    await screenshot(pa.page, 'invite')

    await addFromPage(pb.page, invite)
    const alice = row(pb.page, s.a as ApiNode)
    await alice.locator('.name', { hasText: 'Alice' }).waitFor({ timeout: LIVE_MS })
    await pb.page.getByText('accepted: you are in each other\'s contacts').waitFor({ timeout: LIVE_MS })
    // the inviter approved by the invitation itself: no request waits, and B is in A's contact list
    const bobOnA = pa.page.locator('nav.contacts ul[aria-label="Your contacts"]').locator(`button.contact[data-peer="${(s.b as ApiNode).node.peerId.toString()}"]`)
    await bobOnA.waitFor({ timeout: LIVE_MS })
    assert.equal(await pa.page.locator('li.request').count(), 0)

    await pa.page.getByLabel('Your availability').selectOption('away')
    await pa.page.getByRole('button', { name: 'Set', exact: true }).click()
    await alice.locator('.availability', { hasText: 'away' }).waitFor({ timeout: LIVE_MS })
    await screenshot(pb.page, 'contacts')

    // a contact's unread count is the node's: the page and the CLI agree, and reading clears it in both
    await (s.b as ApiNode).client.call('send', { body: { to: (s.a as ApiNode).node.imUri, text: 'thanks for the invite' } })
    await bobOnA.locator('.badge', { hasText: '1' }).waitFor({ timeout: LIVE_MS })
    const unreadOnNode = async (): Promise<number | undefined> => (await (s.a as ApiNode).client.call('contacts')).contacts.find(c => c.peerId === (s.b as ApiNode).node.peerId.toString())?.unread
    assert.equal(await unreadOnNode(), 1)
    await bobOnA.click()
    await pa.page.locator('.bubble.in', { hasText: 'thanks for the invite' }).waitFor()
    await waitFor(async () => await unreadOnNode() === 0, 10_000, 'the node to count the message read')

    // A's node stops: B's list shows A offline, with when it was last seen
    await (s.a as ApiNode).close()
    s.a = undefined
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
})
