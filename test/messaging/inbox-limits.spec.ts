/**
 * The strangers' limits: the token bucket and the counts alone, the
 * `inbox` section of config.json reaching a real node, and counts that
 * survive a restart and shrink when the user deletes messages.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InboxLimits } from '../../src/messaging/inbox-limits.js'
import { InvalidConfigError } from '../../src/node/errors.js'
import { mergeSettings, validateSettings } from '../../src/node/config.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { tempDir } from '../helpers/temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

describe('inbox limits for strangers', function () {
  this.timeout(60_000)

  it('lets a burst through, then one message per refill interval, per sender', () => {
    const limits = new InboxLimits({ strangerBurst: 3, strangerRefillSeconds: 10 })
    const t = 1_000_000
    assert.deepEqual([0, 1, 2, 3].map(() => limits.take('a', t)?.kind), [undefined, undefined, undefined, 'rate-limited'])
    assert.match(limits.take('a', t)?.reason ?? '', /next one in 10 s/)
    assert.equal(limits.take('b', t), undefined, 'another sender has its own bucket')
    assert.match(limits.take('a', t + 4_000)?.reason ?? '', /next one in 6 s/)
    assert.equal(limits.take('a', t + 10_000), undefined, 'one token back after 10 s')
    assert.equal(limits.take('a', t + 10_001)?.kind, 'rate-limited')
    // a long silence refills to the burst, never beyond
    assert.deepEqual([0, 1, 2, 3].map(() => limits.take('a', t + 3_600_000)?.kind), [undefined, undefined, undefined, 'rate-limited'])
  })

  it('counts what each stranger and all strangers hold, and frees it on delete', () => {
    const limits = new InboxLimits({ strangerMessages: 2, strangerBytes: 1000, strangersTotalMessages: 3, strangersTotalBytes: 10_000 })
    assert.equal(limits.room(limits.usage('a'), 1001)?.kind, 'inbox-full', 'one message over the byte share')
    limits.count('a', 100, 1)
    limits.count('a', 100, 1)
    assert.match(limits.room(limits.usage('a'), 1)?.reason ?? '', /all it takes from you \(2 messages, 1000 bytes\)/)
    assert.equal(limits.room(limits.usage('b'), 1), undefined)
    limits.count('b', 100, 1)
    assert.match(limits.room(limits.usage('c'), 1)?.reason ?? '', /from people it does not know/, 'the total holds for a fresh sender')
    limits.count('a', 100, -1)
    assert.deepEqual(limits.usage('a'), { messages: 1, bytes: 100 })
    assert.equal(limits.room(limits.usage('c'), 1), undefined)
  })

  it('reads the "inbox" section of config.json and names the key of a bad value', () => {
    assert.deepEqual(validateSettings({ inbox: { strangerBurst: 5, strangerRefillSeconds: 0.5, strangersTotalBytes: 0 } }, 'f'), { inbox: { strangerBurst: 5, strangerRefillSeconds: 0.5, strangersTotalBytes: 0 } })
    assert.deepEqual(mergeSettings({}).inbox, {}, 'unset: the documented defaults apply')
    for (const [inbox, message] of [
      [{ strangerBurst: 0 }, /config.json: "inbox": "strangerBurst" must be a whole number of at least 1/],
      [{ strangerMessages: 1.5 }, /"strangerMessages" must be a whole number/],
      [{ strangerRefillSeconds: '6' }, /"strangerRefillSeconds" must be a number/],
      [{ strangerBytes: -1 }, /"strangerBytes"/],
      [{ perMinute: 3 }, /unknown key "perMinute" \(known: strangerBurst, /],
      [[], /"inbox" must be an object/]
    ] as const) {
      assert.throws(() => validateSettings({ inbox }, 'config.json'), (err: Error) => err instanceof InvalidConfigError && message.test(err.message))
    }
  })

  describe('on real nodes', () => {
    const nodes = nodesPerTest()
    const texts = async (node: PresenceMeshNode): Promise<string[]> => (await node.libp2p.services.im.inbox()).map(m => new TextDecoder().decode(m.message.body))
    const sendAll = async (from: PresenceMeshNode, to: PresenceMeshNode, bodies: string[]): Promise<string[]> => {
      const outcomes: string[] = []
      for (const body of bodies) {
        const r = await from.libp2p.services.im.send(to.peerId, { body })
        outcomes.push(r.status === 'failed' ? `failed:${r.reason}` : r.status)
      }
      return outcomes
    }

    it('takes the limits from config.json, keeps the counts over a restart, and deleting frees room', async () => {
      const home = await tempDir()
      try {
        await writeFile(join(home.path, 'config.json'), JSON.stringify({ inbox: { strangerBurst: 100, strangerMessages: 3 } }))
        let bob = await nodes.start({ home: home.path })
        const alice = await nodes.start()
        await connect(alice, bob)
        assert.deepEqual(await sendAll(alice, bob, ['1', '2', '3', '4']), ['delivered', 'delivered', 'delivered', 'failed:inbox-full'])
        const failed = (await alice.libp2p.services.im.sent()).find(s => s.outcome?.status === 'failed')
        assert.deepEqual(failed?.outcome?.status === 'failed' ? failed.outcome.reason : undefined, 'inbox-full', 'the history names the reason')

        await bob.stop()
        nodes.stopped(bob)
        bob = await nodes.start({ home: home.path })
        await connect(alice, bob)
        assert.deepEqual(await sendAll(alice, bob, ['5']), ['failed:inbox-full'], 'the counts are rebuilt at start')
        const first = (await bob.libp2p.services.im.inbox())[0]
        assert.equal(await bob.libp2p.services.im.deleteMessages([{ from: first.message.from, id: first.message.id }, { from: first.message.from, id: 'no-such-id' }]), 1)
        assert.deepEqual(await sendAll(alice, bob, ['6', '7']), ['delivered', 'failed:inbox-full'])
        assert.deepEqual(await texts(bob), ['2', '3', '6'])
      } finally {
        await home.remove()
      }
    })

    it('does not limit contacts: allow-listed senders and those on the contact list', async () => {
      const limited = { strangerBurst: 2, strangerRefillSeconds: 3600, strangerMessages: 2, strangersTotalMessages: 2 }
      const [bob, friend, watched] = await Promise.all([nodes.start({ inbox: limited }), nodes.start(), nodes.start()])
      await Promise.all([connect(friend, bob), connect(watched, bob)])
      await bob.libp2p.services.im.allow(friend.peerId)
      await bob.libp2p.services.contacts.add({ target: watched.peerId, name: 'watched' })
      const bodies = Array.from({ length: 5 }, (_, i) => `m${i}`)
      assert.deepEqual(await sendAll(friend, bob, bodies), bodies.map(() => 'delivered'))
      assert.deepEqual(await sendAll(watched, bob, bodies), bodies.map(() => 'delivered'))
      assert.equal((await bob.libp2p.services.im.inbox()).length, 10)
    })
  })
})
