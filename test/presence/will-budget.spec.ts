/**
 * WillBudget on its own, on a clock the test moves: whom a holder pushes a
 * will to when its list names thousands of peers, and how many dials all the
 * wills of a minute may cost it together.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { WILL_DIALS_PER_MINUTE, WILL_DIALS_PER_WILL, WillBudget } from '../../src/presence/will-budget.js'
import { MAX_WILL_WATCHERS } from '../../src/presence/protocol.js'
import type { PeerId } from '@libp2p/interface'

async function peers (n: number): Promise<PeerId[]> {
  return Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

describe('will budget', function () {
  this.timeout(30_000)
  let strangers: PeerId[]
  let clients: PeerId[]
  before(async () => {
    strangers = await peers(MAX_WILL_WATCHERS)
    clients = await peers(3)
  })
  const isClient = (peer: PeerId): boolean => clients.some(c => c.equals(peer))

  it('pushes to every connected watcher, and dials at most WILL_DIALS_PER_WILL of the others', () => {
    const budget = new WillBudget(() => 0)
    // the connected ones named last, after a full list of peers it would have to dial
    const { push, skipped } = budget.targets([...strangers.slice(0, MAX_WILL_WATCHERS - 3), ...clients], isClient)
    assert.ok(clients.every(c => push.some(p => p.equals(c))), 'a connected watcher was left out')
    assert.equal(push.filter(p => !isClient(p)).length, WILL_DIALS_PER_WILL)
    assert.equal(skipped, MAX_WILL_WATCHERS - 3 - WILL_DIALS_PER_WILL)
    // in the order named: the most recently renewed watchers come first in a presentity's list
    assert.deepEqual(push.filter(p => !isClient(p)), strangers.slice(0, WILL_DIALS_PER_WILL))
  })

  it('counts a peer named many times once', () => {
    const budget = new WillBudget(() => 0)
    const { push, skipped } = budget.targets([...Array(500).fill(strangers[0]), ...Array(500).fill(clients[0])], isClient)
    assert.deepEqual(push.map(p => p.toString()), [strangers[0].toString(), clients[0].toString()])
    assert.equal(skipped, 0)
  })

  it('dials at most WILL_DIALS_PER_MINUTE for all the wills of a minute, and pushes to connected watchers still', () => {
    let now = 0
    const budget = new WillBudget(() => now)
    let dials = 0
    for (let will = 0; will < 2 * WILL_DIALS_PER_MINUTE / WILL_DIALS_PER_WILL; will++) {
      const { push } = budget.targets([...strangers, ...clients], isClient)
      dials += push.filter(p => !isClient(p)).length
      assert.equal(push.filter(isClient).length, clients.length)
      now += 1_000
    }
    // eight wills over 8 s: the minute's budget and what 8 s gave back, no more
    assert.ok(dials <= WILL_DIALS_PER_MINUTE + Math.ceil(8 * WILL_DIALS_PER_MINUTE / 60), `${dials} dials`)
    assert.ok(dials >= WILL_DIALS_PER_MINUTE, `${dials} dials`)
    // a minute later the budget is whole again
    now += 60_000
    assert.equal(budget.targets(strangers, isClient).push.length, WILL_DIALS_PER_WILL)
  })
})
