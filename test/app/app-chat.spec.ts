/**
 * The web app in a real browser (as in app.spec.ts): watch requests, chat
 * with files and notifications, and blocking.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { ApiNode } from '../helpers/api.js'
import { waitFor } from '../helpers/temp.js'
import { screenshot } from './browser.js'
import { addFromPage, appSession, LIVE_MS, notifications, row, setHidden } from './session.js'

describe('web app in Chromium: watching, chatting and blocking', function () {
  this.timeout(180_000)
  const s = appSession()

  it('approves a watch request with a view, and shows status changes live', async () => {
    const pa = await s.open(s.a as ApiNode)
    const pb = await s.open(s.b as ApiNode)
    await pa.page.getByLabel('Strangers:').selectOption('ask')
    await waitFor(async () => (await (s.a as ApiNode).client.call('access')).default === 'ask', 10_000, 'the default policy set from the page')

    await setHidden(pa.page, true)
    await addFromPage(pb.page, (s.a as ApiNode).node.presUri, 'alice')
    const request = pa.page.locator(`li.request[data-peer="${(s.b as ApiNode).node.peerId.toString()}"]`)
    await request.waitFor({ timeout: LIVE_MS })
    const notes = await notifications(pa.page)
    assert.ok(notes.some(n => /asks to see your presence/.test(n.title)), `a notification on the hidden page: ${JSON.stringify(notes)}`)
    await setHidden(pa.page, false)
    await screenshot(pa.page, 'request')

    await request.getByLabel('Show').selectOption('full')
    await request.getByRole('button', { name: 'Approve' }).click()
    await pa.page.locator('ul.watchers li', { hasText: 'full' }).waitFor({ timeout: LIVE_MS })

    // B's list shows A online, then the status A sets on its page, without a reload
    const contactA = row(pb.page, s.a as ApiNode)
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
    const pa = await s.open(s.a as ApiNode)
    const pb = await s.open(s.b as ApiNode)
    await (s.a as ApiNode).client.call('setPresence', { body: { basic: 'open', availability: 'available', note: 'at my desk' } })
    await addFromPage(pb.page, (s.a as ApiNode).node.presUri, 'alice')
    await row(pb.page, s.a as ApiNode).click()
    await pb.page.locator('.presence-line', { hasText: 'at my desk' }).waitFor({ timeout: LIVE_MS })
    await setHidden(pa.page, true)

    await pb.page.getByLabel(/^Message to/).fill('hello from B')
    await pb.page.getByLabel(/^Message to/).press('Enter')
    await pb.page.locator('.bubble.out .delivery[data-status="delivered"]').waitFor({ timeout: LIVE_MS })
    assert.match(await pb.page.locator('.bubble.out .delivery').innerText(), /✓✓ delivered/)

    const contactB = row(pa.page, s.b as ApiNode)
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
    const inbox = await (s.a as ApiNode).client.call('messages')
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
    const pa = await s.open(s.a as ApiNode)
    const pb = await s.open(s.b as ApiNode)
    await (s.b as ApiNode).client.call('send', { body: { to: (s.a as ApiNode).node.imUri, text: 'before the block' } })
    const contactB = row(pa.page, s.b as ApiNode)
    await contactB.click()
    await pa.page.getByRole('button', { name: 'Block' }).click()
    await pa.page.getByText('You blocked').waitFor()
    await pa.page.getByRole('button', { name: 'Back to contacts' }).or(pa.page.getByRole('button', { name: 'Who sees you' })).first().click()
    await pa.page.locator('ul.rules li', { hasText: 'blocked' }).waitFor()

    // a polite block: B is told nothing, sees A offline, and its message is delivered into nothing
    await addFromPage(pb.page, (s.a as ApiNode).node.presUri, 'alice')
    const contactA = row(pb.page, s.a as ApiNode)
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
  })})
