/**
 * Strangers that declare large messages in parts and stall (im 4.0.0): what
 * the recipient sets aside for them stays within the strangers' share of its
 * node-wide budget, those beyond it are answered BUSY at once, honest
 * traffic still flows, and every reservation is returned when its stream
 * ends or its message times out. Likewise large deposits at a relay that
 * announce a box and stall: answered "busy" beyond the relay's budget.
 */
import assert from 'node:assert/strict'
import { lpStream } from '@libp2p/utils'
import { randomBytes } from 'node:crypto'
import { equals } from 'uint8arrays/equals'
import * as varint from 'uint8-varint'
import { DEPOSIT_PROTOCOL, DEPOSITS_IN_FLIGHT_BYTES, DEPOSITS_IN_FLIGHT_PER_PEER_BYTES } from '../../src/mailbox/constants.js'
import { DepositResult } from '../../src/mailbox/pb/mailbox.js'
import { DEFAULT_PARTS_BUDGET, IM_PROTOCOL } from '../../src/messaging/constants.js'
import { Deliver, Receipt, Receipts } from '../../src/messaging/pb/message.js'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { foreignNode, openRaw, type ForeignNode } from './foreign-node.js'
import type { Stream } from '@libp2p/interface'

const MiB = 1024 * 1024
/** Strangers, each with its own identity: together they declare twice the strangers' share */
const ATTACKERS = 8
/** IM streams each opens (its connection's allowance) */
const STREAMS_EACH = 2
/** Long enough for the honest sends below to finish while the stalled messages are still held */
const TIMEOUT_MS = 8_000

interface Stalled { attacker: number, stream: Stream, answer: Promise<Receipt.Status | undefined> }

describe('adversarial: large messages and deposits that never complete', function () {
  this.timeout(60_000)
  const nodes = nodesPerTest()
  let attackers: ForeignNode[] = []
  afterEach(async () => {
    await Promise.all(attackers.map(async a => a.stop()))
    attackers = []
  })

  it('hold no more than the strangers\' share, are answered BUSY beyond it, and are released at stream end or after the timeout', async () => {
    const r = await nodes.start({ presence: { publishOnStart: false }, messaging: { parts: { partsTimeoutMs: TIMEOUT_MS } } })
    const address = r.libp2p.getMultiaddrs()[0]
    attackers = await Promise.all(Array.from({ length: ATTACKERS }, async () => foreignNode()))
    // libp2p admits 5 new connections a second from one address: connect in steps
    for (const [i, attacker] of attackers.entries()) {
      if (i > 0 && i % 4 === 0) await new Promise(resolve => setTimeout(resolve, 1_100))
      await attacker.dial(address)
    }

    // each stream: the first 1 KiB part of a message declared 1 MiB, then nothing more
    const stalled: Stalled[] = []
    for (const [i, attacker] of attackers.entries()) {
      for (let s = 0; s < STREAMS_EACH; s++) {
        const stream = await openRaw(attacker, address, IM_PROTOCOL)
        const lp = lpStream(stream)
        await lp.write(Deliver.encode({ envelope: new Uint8Array(1024).fill(1), size: MiB }))
        const answer = lp.read().then(bytes => Receipts.decode(bytes).receipts[0]?.status, () => undefined)
        stalled.push({ attacker: i, stream, answer })
      }
    }
    const share = DEFAULT_PARTS_BUDGET.partsStrangersBytes
    const busy = await waitFor(async () => {
      const answered = await Promise.all(stalled.map(async s => Promise.race([s.answer, new Promise(resolve => setTimeout(resolve, 10, 'none'))])))
      const n = answered.filter(a => a === Receipt.Status.STATUS_BUSY).length
      return n >= stalled.length - share / MiB ? n : undefined
    }, 10_000, 'BUSY for the messages beyond the strangers\' share')
    const usage = r.libp2p.services.im.partsInProgress()
    console.log(`      ${stalled.length} messages of 1 MiB declared; ${busy} answered BUSY; ${usage.bytes / MiB} MiB reserved for ${usage.peers} strangers`)
    assert.equal(usage.bytes, share, 'the strangers\' share is held, and no more')
    assert.equal(usage.strangersBytes, share)

    // honest traffic flows meanwhile: a contact's 1 MiB, a stranger's short message
    const [contact, stranger] = await Promise.all([nodes.start(), nodes.start()])
    await Promise.all([connect(contact, r), connect(stranger, r)])
    await r.libp2p.services.im.allow(contact.peerId)
    const body = new Uint8Array(randomBytes(MiB))
    const [big, small] = await Promise.all([
      contact.libp2p.services.im.send(r.peerId, { body }),
      stranger.libp2p.services.im.send(r.peerId, { body: 'hello' })
    ])
    assert.deepEqual([big.status, small.status], ['delivered', 'delivered'], JSON.stringify([big, small]))
    const inbox = await r.libp2p.services.im.inbox()
    assert.ok(equals(inbox.find(m => m.message.id === big.id)?.message.body ?? new Uint8Array(), body))

    // the attackers that go away take their reservations with them (the first ones hold them: they came first)
    const leaving = attackers.slice(0, ATTACKERS / 4)
    await Promise.all(leaving.map(async a => a.hangUp(r.peerId)))
    const kept = (): number => r.libp2p.services.im.partsInProgress().bytes
    await waitFor(() => kept() < share, 5_000, 'reservations returned at stream end')
    // the rest are given up after the timeout, their streams ended
    const left = Date.now()
    await waitFor(() => kept() === 0, TIMEOUT_MS + 5_000, 'reservations returned after the timeout')
    console.log(`      the last reservations were returned ${Date.now() - left} ms after the first attackers left (timeout ${TIMEOUT_MS} ms)`)
    assert.deepEqual(r.libp2p.services.im.partsInProgress(), { bytes: 0, strangersBytes: 0, peers: 0 })
    await waitFor(() => stalled.every(s => s.stream.status !== 'open'), 5_000, 'the stalled streams ended')
  })

  it('large deposits that announce a box and stall are read only within the relay\'s budget; beyond it "busy", small ones still stored', async () => {
    const relay = await nodes.start({ relay: true, presence: { publishOnStart: false } })
    const address = relay.libp2p.getMultiaddrs()[0]
    attackers = await Promise.all(Array.from({ length: ATTACKERS }, async () => foreignNode()))
    for (const [i, attacker] of attackers.entries()) {
      if (i > 0 && i % 4 === 0) await new Promise(resolve => setTimeout(resolve, 1_100))
      await attacker.dial(address)
    }
    // each attacker announces boxes of 1 MiB, sends 1 KiB of each, and stalls
    const perAttacker = Math.ceil(DEPOSITS_IN_FLIGHT_PER_PEER_BYTES / MiB) + 1
    const answers: Array<Promise<DepositResult | undefined>> = []
    for (const attacker of attackers) {
      for (let s = 0; s < perAttacker; s++) {
        const stream = await openRaw(attacker, address, DEPOSIT_PROTOCOL)
        const lp = lpStream(stream)
        stream.send(Uint8Array.from([...varint.encode(MiB), ...new Uint8Array(1024)]))
        answers.push(lp.read().then(bytes => DepositResult.decode(bytes), () => undefined))
      }
    }
    const declared = ATTACKERS * perAttacker
    const held = Math.floor(DEPOSITS_IN_FLIGHT_BYTES / MiB)
    const busy = await waitFor(async () => {
      const answered = await Promise.all(answers.map(async a => Promise.race([a, new Promise<undefined>(resolve => setTimeout(resolve, 10))])))
      const n = answered.filter(a => a?.status === DepositResult.Status.STATUS_RELAY_FULL && a.reason.startsWith('busy')).length
      return n >= declared - held ? n : undefined
    }, 10_000, '"busy" for the deposits beyond the budget')
    console.log(`      ${declared} deposits of 1 MiB announced; ${busy} answered "busy" at once; at most ${held} read`)

    // an ordinary message's box is stored meanwhile: small deposits need no reservation
    const depositor = await nodes.start({ presence: { publishOnStart: false } })
    await connect(depositor, relay)
    const offline = (await nodes.start()).peerId
    const small = await depositor.libp2p.services.mailbox.deposit(relay.peerId, offline, new Uint8Array(2000).fill(3))
    assert.equal(small.status, 'stored', JSON.stringify(small))
    // the stalled deposits time out (10 s) and take their reservations with them: a large box is read again
    const large = new Uint8Array(500 * 1024).fill(4)
    const stalledAt = Date.now()
    const stored = await waitFor(async () => {
      const result = await depositor.libp2p.services.mailbox.deposit(relay.peerId, offline, large)
      return result.status === 'stored' ? result : undefined
    }, 20_000, 'a large deposit once the stalled ones timed out')
    console.log(`      a 500 KiB deposit was stored ${Date.now() - stalledAt} ms later`)
    assert.equal(stored.status, 'stored')
  })
})
