/**
 * Acks of drained mail: the messages of one sender drained together are
 * acknowledged by one sealed box, deposited once in the mailbox they came
 * from (stubbed mailbox and sealing: what is counted is what goes out).
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { AckReturns, MAX_ACK_ENTRIES } from '../../src/messaging/ack-returns.js'
import type { DepositTokens } from '../../src/messaging/deposit-tokens.js'
import type { BatchAck } from '../../src/messaging/pb/message.js'
import type { Mailbox } from '../../src/mailbox/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, newScope: () => log, enabled: false }) as unknown as Logger

async function peer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

const entry = (n: number): BatchAck.Entry => ({ id: `m${n}`, digest: new Uint8Array(32) })

describe('acks of drained mail', () => {
  it('acknowledge each sender\'s drained messages with one box per mailbox, at most MAX_ACK_ENTRIES each', async () => {
    const [relay1, relay2, alice, bob] = await Promise.all([peer(), peer(), peer(), peer()])
    const sealed: Array<{ sender: string, ids: string[], contact: boolean }> = []
    const deposits: Array<{ mailbox: string, recipient: string, box: string }> = []
    let done: () => void = () => {}
    const all = new Promise<void>(resolve => { done = resolve })
    const tokens = {
      deposit: async (_service: Mailbox, mailbox: PeerId, recipient: PeerId, box: Uint8Array) => {
        deposits.push({ mailbox: mailbox.toString(), recipient: recipient.toString(), box: new TextDecoder().decode(box) })
        if (deposits.length === 4) done()
        return { status: 'stored', mailbox, expiresAt: 0, contact: false }
      }
    } as unknown as DepositTokens
    const returns = new AckReturns({
      mailbox: {} as unknown as Mailbox,
      tokens,
      log,
      seal: async (sender, entries, contact) => {
        sealed.push({ sender: sender.toString(), ids: entries.map(e => e.id), contact })
        return new TextEncoder().encode(`ack ${sealed.length}`)
      }
    })
    // a drained batch: 300 of alice's and 2 of bob's from relay 1, one more of alice's from relay 2
    for (let n = 0; n < 300; n++) returns.add(relay1, alice, entry(n), false)
    returns.add(relay1, bob, entry(0), true)
    returns.add(relay1, bob, entry(1), false)
    returns.add(relay2, alice, entry(300), false)
    await all

    const of = (sender: PeerId): typeof sealed => sealed.filter(s => s.sender === sender.toString())
    assert.deepEqual(of(alice).map(s => s.ids.length).sort((a, b) => a - b), [1, 300 - MAX_ACK_ENTRIES, MAX_ACK_ENTRIES])
    assert.deepEqual(of(alice).flatMap(s => s.ids).sort(), Array.from({ length: 301 }, (_, n) => `m${n}`).sort())
    assert.deepEqual(of(bob), [{ sender: bob.toString(), ids: ['m0', 'm1'], contact: true }])
    // each box goes to the mailbox its messages came from, addressed to their sender
    const to = (mailbox: PeerId, sender: PeerId): number => deposits.filter(d => d.mailbox === mailbox.toString() && d.recipient === sender.toString()).length
    assert.deepEqual([to(relay1, alice), to(relay1, bob), to(relay2, alice), to(relay2, bob)], [2, 1, 1, 0])
  })
})
