import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MAX_MESSAGE_AGE_MS } from '../../src/messaging/constants.js'
import { Waiting } from '../../src/messaging/waiting.js'
import type { OutboxEntry } from '../../src/messaging/store.js'

describe('the outbox of messages waiting for their recipient', () => {
  it('sends what waits when its recipient is seen, oldest first, once; is bounded; lets old ones go', async () => {
    const [bob, carol] = await Promise.all([1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const retried: string[] = []
    const expired: string[] = []
    const waiting = new Waiting({ maxMessages: 3, maxBytes: 1_000, retry: e => retried.push(e.id), expire: e => expired.push(e.id) })
    const now = Date.now()
    const entry = (id: string, to = bob, createdAt = now, bytes = 100): OutboxEntry => ({ id, to, createdAt, envelope: new Uint8Array(bytes) })

    assert.equal(waiting.add(entry('b2', bob, now + 1)), true)
    assert.equal(waiting.add(entry('b1')), true)
    assert.equal(waiting.add(entry('c1', carol)), true)
    // full by count: refused with a reason, nothing dropped
    assert.match(waiting.full(entry('b3')) ?? '', /the outbox is full \(3 messages/)
    assert.equal(waiting.add(entry('b3')), false)
    waiting.seen(bob)
    assert.deepEqual(retried, ['b1', 'b2'])
    waiting.seen(bob)
    assert.deepEqual(retried, ['b1', 'b2'], 'sent again on a sighting, once')
    // full by bytes
    assert.equal(waiting.add(entry('big', bob, now, 950)), false)
    // too old to be accepted: it leaves when swept, or when its recipient is seen
    assert.equal(waiting.add(entry('old', bob, now - MAX_MESSAGE_AGE_MS)), true)
    waiting.sweep()
    assert.deepEqual(expired, ['old'])
    assert.equal(waiting.size, 1)
    assert.equal(waiting.has(carol), true)
  })
})
