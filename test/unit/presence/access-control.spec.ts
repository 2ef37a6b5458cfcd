/**
 * Access control on its own: the presentity's AccessControl and a watcher's
 * Keyring over in-memory datastores, with the presence service's callbacks
 * recorded instead of carried out. The decisions, the notices and the key
 * rotations are checked here; test/access/access.spec.ts shows the same
 * over a real mesh, where the records travel signed through pushes and the
 * DHT.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { AccessControl, type NoticeKind } from '../../../src/presence/access/control.js'
import { Keyring } from '../../../src/presence/access/keyring.js'
import { sampleRecord } from '../../presence/helpers.js'
import type { PresenceRecord } from '../../../src/presence/record.js'
import type { PeerId } from '@libp2p/interface'

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

interface Presentity {
  control: AccessControl
  datastore: MemoryDatastore
  told: string[]
  dropped: string[]
  republished: number
  /** Watchers with a subscription, and its transaction */
  subscribed: Map<string, string>
}

const log = defaultLogger().forComponent('test:access-control')

async function presentity (datastore = new MemoryDatastore()): Promise<Presentity> {
  const p: Presentity = { datastore, told: [], dropped: [], republished: 0, subscribed: new Map() } as unknown as Presentity
  p.control = new AccessControl(datastore, {
    republish: async () => { p.republished++ },
    dropWatcher: async peer => { p.dropped.push(peer.toString()); return p.subscribed.delete(peer.toString()) },
    transactionOf: peer => p.subscribed.get(peer.toString()),
    tell: async (peer: PeerId, kind: NoticeKind, transactionId: string) => { p.told.push(`${peer.toString()} ${kind} ${transactionId}`) }
  }, log)
  await p.control.load()
  return p
}

/** A watcher asks (subscribe or poll) and keeps what the answer says, as subscriptions.ts does */
async function ask (p: Presentity, watcher: PeerId, keyring: Keyring, transactionId = 'tx'): Promise<string> {
  const answer = await p.control.answer(watcher, transactionId)
  if (answer.decision.kind === 'grant') {
    p.subscribed.set(watcher.toString(), transactionId)
    await keyring.update(self, { refused: false, key: answer.key })
  } else if (answer.decision.kind === 'refuse') {
    await keyring.update(self, { refused: true })
  }
  return answer.decision.kind
}

let self: PeerId
const truth = (seq: bigint): PresenceRecord => ({ ...sampleRecord(self), seq, availability: 'busy', note: { text: 'secret plans' } })

describe('unit: access control', () => {
  before(async () => { self = await newPeer() })

  it('public by default: the record is the plaintext and a politely blocked watcher opens only "closed"', async () => {
    const p = await presentity()
    const [friend, pest] = await Promise.all([newPeer(), newPeer()])
    const [friendKeys, pestKeys] = [new Keyring(new MemoryDatastore(), log), new Keyring(new MemoryDatastore(), log)]
    assert.equal(await ask(p, friend, friendKeys), 'grant')
    await p.control.block(pest)
    assert.equal(await ask(p, pest, pestKeys), 'grant', 'a blocked watcher seems subscribed')
    const published = await p.control.present(truth(1n))
    assert.equal(published.note?.text, 'secret plans')
    assert.equal(friendKeys.reveal(published).access, 'public')
    const seen = pestKeys.reveal(published)
    assert.equal(seen.access, 'granted')
    assert.equal(seen.record.basic, 'closed')
    assert.equal(seen.record.note, undefined)
    assert.deepEqual(p.told, [], 'a blocked watcher is never told')
  })

  it('ask: a request waits once, approval tells the watcher and grants the view, which only its key opens', async () => {
    const p = await presentity()
    await p.control.setDefault('ask')
    const [watcher, stranger] = await Promise.all([newPeer(), newPeer()])
    const keys = new Keyring(new MemoryDatastore(), log)
    const first = await p.control.answer(watcher, 'tx1')
    assert.deepEqual([first.decision.kind, first.newRequest], ['pending', true])
    assert.equal((await p.control.answer(watcher, 'tx1')).newRequest, false, 'asked again, the same request')
    assert.deepEqual(Object.keys(p.control.policy().pending), [watcher.toString()])

    await p.control.allow(watcher, 'availability')
    assert.deepEqual(p.told, [`${watcher.toString()} approved tx1`])
    assert.deepEqual(p.control.policy().pending, {})
    assert.equal(await ask(p, watcher, keys, 'tx1'), 'grant')

    const published = await p.control.present(truth(2n))
    assert.equal(published.basic, 'closed', 'strangers see a closed placeholder')
    assert.equal(published.note, undefined)
    assert.equal(published.restricted, true)
    const seen = keys.reveal(published)
    assert.equal(seen.access, 'granted')
    assert.deepEqual([seen.record.basic, seen.record.availability, seen.record.note], ['open', 'busy', undefined], 'the availability view, without the note')
    assert.equal(new Keyring(new MemoryDatastore(), log).reveal(published).access, 'restricted')
    assert.equal((await p.control.answer(stranger, 'tx9')).decision.kind, 'pending')
  })

  it('revoking a view rotates its key: the watcher is told and cannot open what is published after', async () => {
    const p = await presentity()
    await p.control.setDefault('deny')
    const [kept, revoked] = await Promise.all([newPeer(), newPeer()])
    const [keptKeys, revokedKeys] = [new Keyring(new MemoryDatastore(), log), new Keyring(new MemoryDatastore(), log)]
    await p.control.allow(kept, 'full')
    await p.control.allow(revoked, 'full')
    await ask(p, kept, keptKeys, 'k')
    await ask(p, revoked, revokedKeys, 'r')
    assert.equal(revokedKeys.reveal(await p.control.present(truth(3n))).record.note?.text, 'secret plans')

    const before = p.republished
    await p.control.revoke(revoked)
    assert.ok(p.republished > before, 'republished with the new key')
    assert.deepEqual(p.dropped, [revoked.toString()])
    assert.deepEqual(p.told, [`${revoked.toString()} cancelled r`])
    const after = await p.control.present(truth(4n))
    assert.equal(revokedKeys.reveal(after).access, 'restricted', 'the old key opens nothing new')
    assert.ok(revokedKeys.wantsKey(after))
    // the watcher that kept its view asks again (the record's key id changed) and reads on
    assert.ok(keptKeys.wantsKey(after))
    await ask(p, kept, keptKeys, 'k')
    assert.equal(keptKeys.reveal(after).record.note?.text, 'secret plans')
    assert.equal((await p.control.answer(revoked, 'r2')).decision.kind, 'refuse', 'the default decides its next request')
  })

  it('deny refuses and tells; the rules and keys survive a restart', async () => {
    const datastore = new MemoryDatastore()
    const p = await presentity(datastore)
    const [denied, friend] = await Promise.all([newPeer(), newPeer()])
    const [deniedKeys, friendKeys] = [new Keyring(new MemoryDatastore(), log), new Keyring(new MemoryDatastore(), log)]
    await p.control.setDefault('ask')
    await ask(p, denied, deniedKeys, 'd')
    await p.control.deny(denied)
    assert.deepEqual(p.told, [`${denied.toString()} refused d`])
    assert.equal(await ask(p, denied, deniedKeys), 'refuse')
    assert.equal(deniedKeys.reveal(await p.control.present(truth(5n))).access, 'refused')
    await p.control.allow(friend, 'basic')
    await ask(p, friend, friendKeys)

    const restarted = await presentity(datastore)
    assert.deepEqual(restarted.control.policy(), p.control.policy())
    assert.equal((await restarted.control.answer(denied, 'd2')).decision.kind, 'refuse')
    const seen = friendKeys.reveal(await restarted.control.present(truth(6n)))
    assert.deepEqual([seen.access, seen.record.basic, seen.record.availability], ['granted', 'open', 'unknown'], 'the same key opens the basic view')
  })
})
