import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LostTimes } from '../../src/presence/lost-times.js'
import type { PresenceRecord } from '../../src/presence/record.js'

describe('when a watched presentity was lost', () => {
  const record = (basic: 'open' | 'closed', seq: bigint, issuedAt: number): PresenceRecord => ({ basic, seq, issuedAt, expiresAt: issuedAt + 3_600_000 }) as unknown as PresenceRecord

  it('is the arrival of a will after it was seen open, not the will\'s own time', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const times = new LostTimes()
    times.observe(peer, record('open', 32n, 1_000), 2_000)
    assert.equal(times.get(peer), undefined)
    // the will: signed at the last change (1000), published at the crash (9000)
    times.observe(peer, record('closed', 33n, 1_000), 9_000)
    assert.equal(times.get(peer), 9_000)
    // back online: no longer lost
    times.observe(peer, record('open', 48n, 10_000), 10_000)
    assert.equal(times.get(peer), undefined)
    // a plain "offline" change is its own time, and a will of a presentity not seen open tells nothing
    times.observe(peer, record('closed', 64n, 11_000), 11_500)
    times.observe(peer, record('closed', 65n, 11_000), 12_000)
    assert.equal(times.get(peer), undefined)
  })
})
