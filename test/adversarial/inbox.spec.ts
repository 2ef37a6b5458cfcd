/**
 * Inbox flooding and polite blocking, attacked by a foreign node (plain
 * libp2p, our .proto codecs, its own keys) against real presence-mesh
 * nodes: a stranger's flood stops at the limits with a reason, fresh
 * identities cannot fill the inbox, contacts are not limited, a blocked
 * sender's answers cannot be told from a stranger's, and a lone `silent`
 * change keeps the mode.
 */
import assert from 'node:assert/strict'
import { foreignNode, type ForeignNode } from './foreign-node.js'
import { deliver, deliverAll, identity, signMessage, statusName, type Answer, type Identity } from './inbox-helpers.js'
import { nodesPerTest } from '../helpers/nodes.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { InboxLimitsInit } from '../../src/messaging/index.js'

describe('adversarial: inbox flooding and polite blocking', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()
  let attacker: ForeignNode | undefined
  afterEach(async () => { await attacker?.stop(); attacker = undefined })

  async function setup (inbox: InboxLimitsInit): Promise<{ target: PresenceMeshNode, send: (who: Identity, body?: string) => Promise<Answer>, flood: (who: Identity, count: number) => Promise<Answer[]> }> {
    const target = await nodes.start({ inbox })
    attacker = await foreignNode()
    const node = attacker
    const address = target.libp2p.getMultiaddrs()[0]
    const send = async (who: Identity, body = 'buy now'): Promise<Answer> => deliver(node, address, target.peerId, who.peerId, await signMessage(who, target.peerId, body))
    // all at once on one stream: the limits must hold with many messages in flight too
    const flood = async (who: Identity, count: number): Promise<Answer[]> =>
      deliverAll(node, address, target.peerId, who.peerId, await Promise.all(Array.from({ length: count }, async (_, i) => signMessage(who, target.peerId, `junk ${i}`))))
    return { target, send, flood }
  }
  /**
   * `count` calls, one at a time: the target resets a peer's IM streams
   * beyond 2 at once on a connection (stream limits), a defence of its own
   * that these tests are not about
   */
  async function concurrently<T> (count: number, call: (i: number) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array(count)
    let next = 0
    await Promise.all(Array.from({ length: Math.min(1, count) }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await call(i)
      }
    }))
    return results
  }
  const tally = (answers: Answer[]): Record<string, number> => {
    const counts: Record<string, number> = {}
    for (const a of answers) counts[statusName(a.status)] = (counts[statusName(a.status)] ?? 0) + 1
    return counts
  }
  const inboxFrom = async (target: PresenceMeshNode, who: Identity): Promise<number> =>
    (await target.libp2p.services.im.inbox()).filter(m => m.message.from.equals(who.peerId)).length

  it('cuts a stranger\'s flood at its rate with rate-limited receipts; replays and forgeries cost nothing', async () => {
    const { target, send, flood } = await setup({ strangerBurst: 10, strangerRefillSeconds: 3600 })
    const stranger = await identity()
    const answers = await flood(stranger, 40)
    assert.deepEqual(tally(answers), { DELIVERED: 10, RATE_LIMITED: 30 })
    assert.ok(answers.every(a => a.ackValid === (statusName(a.status) === 'DELIVERED')), 'an ack exactly with each delivery')
    assert.match(answers.find(a => statusName(a.status) === 'RATE_LIMITED')?.reason ?? '', /next one in \d+ s/)
    assert.equal(await inboxFrom(target, stranger), 10)

    // a replayed envelope is answered DELIVERED again (idempotent) and stores nothing more
    const stored = (await target.libp2p.services.im.inbox())[0]
    const replays = await concurrently(20, async () =>
      deliver(attacker as ForeignNode, target.libp2p.getMultiaddrs()[0], target.peerId, stranger.peerId, { id: stored.message.id, envelope: stored.envelope }))
    assert.deepEqual(tally(replays), { DELIVERED: 20 })
    // a message claiming a contact as its sender is invalid, however many times
    const friend = await identity()
    await target.libp2p.services.im.allow(friend.peerId)
    const forged = await concurrently(5, async () =>
      deliver(attacker as ForeignNode, target.libp2p.getMultiaddrs()[0], target.peerId, friend.peerId, await signMessage(stranger, target.peerId, 'it is me', friend.peerId)))
    assert.deepEqual(tally(forged), { INVALID: 5 })
    assert.equal((await target.libp2p.services.im.inbox()).length, 10)
    // and the target still serves: a contact gets through
    assert.equal(statusName((await send(friend, 'hello')).status), 'DELIVERED')
  })

  it('holds at most a stranger\'s share and the strangers\' total, however many identities; deleting frees room', async () => {
    const { target, send, flood } = await setup({ strangerBurst: 1000, strangerMessages: 8, strangerBytes: 200_000, strangersTotalMessages: 20 })
    const first = await identity()
    assert.deepEqual(tally(await flood(first, 12)), { DELIVERED: 8, INBOX_FULL: 4 })
    const fresh = await Promise.all(Array.from({ length: 5 }, identity))
    const answers: Answer[] = []
    for (const who of fresh) answers.push(...await flood(who, 8))
    assert.deepEqual(tally(answers), { DELIVERED: 12, INBOX_FULL: 28 }, 'fresh identities stop at the total')
    assert.match(answers.find(a => statusName(a.status) === 'INBOX_FULL')?.reason ?? '', /people it does not know/)
    assert.equal((await target.libp2p.services.im.inbox()).length, 20)

    // bytes count too: three 60 KiB messages fit in 200,000 bytes, a fourth does not
    await target.libp2p.services.im.deleteMessages((await target.libp2p.services.im.inbox()).map(m => ({ from: m.message.from, id: m.message.id })))
    const big = await identity()
    const sizes: Answer[] = []
    for (let i = 0; i < 4; i++) sizes.push(await send(big, 'x'.repeat(60 * 1024)))
    assert.deepEqual(sizes.map(a => statusName(a.status)), ['DELIVERED', 'DELIVERED', 'DELIVERED', 'INBOX_FULL'])
    assert.match(sizes[3].reason, /all it takes from you \(8 messages, 200000 bytes\)/)
    assert.equal(statusName((await send(first)).status), 'DELIVERED', 'the first stranger\'s share was freed by the delete')
  })

  it('does not limit a contact', async () => {
    const { target, flood } = await setup({ strangerBurst: 5, strangerRefillSeconds: 3600, strangerMessages: 5, strangersTotalMessages: 5 })
    const friend = await identity()
    await target.libp2p.services.im.allow(friend.peerId)
    assert.deepEqual(tally(await flood(friend, 40)), { DELIVERED: 40 })
    assert.equal(await inboxFrom(target, friend), 40)
  })

  it('answers a blocked sender exactly as a stranger, message for message, and keeps none of its messages', async () => {
    const { target, send } = await setup({ strangerBurst: 10, strangerRefillSeconds: 3600, strangerMessages: 6 })
    const [stranger, blocked, presenceBlocked] = await Promise.all([identity(), identity(), identity()])
    await target.libp2p.services.im.block(blocked.peerId)
    // `pmesh block` (POST /v1/access/block) blocks presence and messages
    await target.libp2p.services.presence.block(presenceBlocked.peerId)
    await target.libp2p.services.im.block(presenceBlocked.peerId)
    const script = async (who: Identity): Promise<Answer[]> => {
      const answers: Answer[] = []
      const firstMessage = await signMessage(who, target.peerId, 'message 0')
      answers.push(await deliver(attacker as ForeignNode, target.libp2p.getMultiaddrs()[0], target.peerId, who.peerId, firstMessage))
      for (let i = 1; i < 12; i++) answers.push(await send(who, `message ${i}`))
      // a retry of the first: free for a stranger, and so for a blocked sender
      answers.push(await deliver(attacker as ForeignNode, target.libp2p.getMultiaddrs()[0], target.peerId, who.peerId, firstMessage))
      return answers
    }
    const seen = async (who: Identity): Promise<string[]> => (await script(who)).map(a => `${statusName(a.status)} ack:${a.ackValid} ${a.reason.replace(/\d+ s\b/, 'N s')}`)
    const asStranger = await seen(stranger)
    assert.deepEqual(asStranger.map(s => s.split(' ')[0]), [...Array(6).fill('DELIVERED'), ...Array(4).fill('INBOX_FULL'), ...Array(2).fill('RATE_LIMITED'), 'DELIVERED'])
    assert.deepEqual(await seen(blocked), asStranger)
    assert.deepEqual(await seen(presenceBlocked), asStranger)
    assert.equal(await inboxFrom(target, stranger), 6)
    assert.equal(await inboxFrom(target, blocked), 0, 'nothing from the blocked sender is kept')
    assert.equal(await inboxFrom(target, presenceBlocked), 0)
  })

  it('under `contacts`, answers a blocked sender as any non-contact: refused, with the same reason', async () => {
    const { target, send } = await setup({})
    const [stranger, blocked] = await Promise.all([identity(), identity()])
    await target.libp2p.services.im.block(blocked.peerId)
    await target.libp2p.services.im.setPolicy({ mode: 'contacts' })
    const answers = [await send(stranger), await send(blocked)].map(a => `${statusName(a.status)} ack:${a.ackValid} ${a.reason}`)
    assert.equal(answers[0], answers[1])
    assert.match(answers[0], /^REFUSED ack:false/)
  })

  it('keeps the mode when only silent is set, and messages still arrive', async () => {
    const { target, send } = await setup({})
    const [friend, stranger] = await Promise.all([identity(), identity()])
    const im = target.libp2p.services.im
    await im.allow(friend.peerId)
    await im.setPolicy({ mode: 'contacts' })
    // exactly what the API passes for `pmesh inbox policy --silent`
    assert.equal((await im.setPolicy({ mode: undefined, silent: true })).mode, 'contacts')
    assert.equal((await im.setPolicy({ mode: undefined, silent: false })).mode, 'contacts')
    assert.equal(statusName((await send(friend)).status), 'DELIVERED')
    assert.equal(await inboxFrom(target, friend), 1, 'a contact\'s message is kept')
    const refused = await send(stranger)
    assert.equal(statusName(refused.status), 'REFUSED', 'a stranger is told, never "delivered" for a dropped message')
    await im.setPolicy({ mode: 'everyone' })
    await im.setPolicy({ silent: true })
    assert.equal(statusName((await send(stranger)).status), 'DELIVERED')
    assert.equal(await inboxFrom(target, stranger), 1)
  })
})
