/**
 * The attacker's side of the messaging protocol, written from
 * docs/PROTOCOL.md ("Delivery"): it signs messages with its own keys
 * (@libp2p/peer-record envelopes over the protons codec of our .proto),
 * delivers them on `/presence-mesh/im/4.0.0` (one per stream here), and checks the recipient's
 * acks itself. Identities are just keys: one foreign node can speak for
 * any number of them, as a real attacker would.
 */
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { pbStream } from '@libp2p/utils'
import { equals } from 'uint8arrays/equals'
import { fromString } from 'uint8arrays/from-string'
import { BatchAck, Deliver, InstantMessage, Receipt, Receipts } from '../../src/messaging/pb/message.js'
import { openRaw, type ForeignNode } from './foreign-node.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

// from docs/PROTOCOL.md
const IM_PROTOCOL = '/presence-mesh/im/4.0.0'
const MESSAGE_DOMAIN = 'presence-mesh-im'
const MESSAGE_PAYLOAD_TYPE = fromString('/presence-mesh/im/1')
const ACK_DOMAIN = 'presence-mesh-im-ack'
const BATCH_ACK_PAYLOAD_TYPE = fromString('/presence-mesh/im-acks/1')

export interface Identity { key: PrivateKey, peerId: PeerId }

export async function identity (): Promise<Identity> {
  const key = await generateKeyPair('Ed25519')
  return { key, peerId: peerIdFromPrivateKey(key) }
}

let counter = 0

/** A message signed by `signer`, claiming to be from `from` (the signer unless forged) */
export async function signMessage (signer: Identity, to: PeerId, body: Uint8Array | string, from: PeerId = signer.peerId): Promise<{ id: string, envelope: Uint8Array }> {
  const id = `x-${Date.now()}-${counter++}`
  const payload = InstantMessage.encode({
    from: from.toMultihash().bytes,
    to: to.toMultihash().bytes,
    id,
    date: BigInt(Date.now()),
    contentType: 'text/plain; charset=utf-8',
    body: typeof body === 'string' ? fromString(body) : new Uint8Array(body),
    headers: []
  })
  const envelope = await RecordEnvelope.seal({ domain: MESSAGE_DOMAIN, codec: MESSAGE_PAYLOAD_TYPE, marshal: () => payload, equals: () => false }, signer.key)
  return { id, envelope: envelope.marshal() }
}

export interface Answer {
  status: Receipt.Status
  reason: string
  /** The ack verified: signed by the target over exactly this envelope */
  ackValid: boolean
}

/** Deliver one envelope on a fresh stream and read the receipt */
export async function deliver (node: ForeignNode, target: Multiaddr, targetId: PeerId, sender: PeerId, message: { id: string, envelope: Uint8Array }): Promise<Answer> {
  return (await deliverAll(node, target, targetId, sender, [message]))[0]
}

/**
 * Deliver envelopes all at once on one fresh stream, as the protocol lets a
 * sender do, and read the receipts of every one (in the order sent)
 */
export async function deliverAll (node: ForeignNode, target: Multiaddr, targetId: PeerId, sender: PeerId, messages: Array<{ id: string, envelope: Uint8Array }>): Promise<Answer[]> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await openRaw(node, target, IM_PROTOCOL)
  try {
    const pb = pbStream(stream, { maxDataLength: 65536 })
    await pb.writeV(messages.map(m => ({ envelope: m.envelope as Uint8Array<ArrayBuffer> })), Deliver, { signal })
    const answers = new Map<number, Answer>()
    while (answers.size < messages.length) {
      const frame = await pb.read(Receipts, { signal })
      for (const receipt of frame.receipts) {
        const message = messages[receipt.seq]
        const ackValid = frame.ack != null && message != null && await checkAck(frame.ack, targetId, sender, message)
        answers.set(receipt.seq, { status: receipt.status, reason: receipt.reason, ackValid })
      }
    }
    await stream.close({ signal })
    return messages.map((_, i) => answers.get(i) as Answer)
  } catch (err: any) {
    stream.abort(err)
    throw err
  }
}

async function checkAck (ack: Uint8Array, target: PeerId, sender: PeerId, message: { id: string, envelope: Uint8Array }): Promise<boolean> {
  try {
    const opened = await RecordEnvelope.openAndCertify(ack, ACK_DOMAIN)
    const payload = BatchAck.decode(opened.payload)
    const digest = createHash('sha256').update(message.envelope).digest()
    return peerIdFromPublicKey(opened.publicKey).equals(target) && equals(opened.payloadType, BATCH_ACK_PAYLOAD_TYPE) &&
      equals(payload.sender, sender.toMultihash().bytes) && payload.entries.some(e => e.id === message.id && equals(e.digest, digest))
  } catch {
    return false
  }
}

/** A receipt's status by name, for readable assertions */
export function statusName (status: Receipt.Status): string {
  return String(status).replace(/^STATUS_/, '')
}
