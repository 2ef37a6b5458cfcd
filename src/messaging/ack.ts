/**
 * The recipient's signed acknowledgements: proof for the sender that the
 * recipient's node persisted exactly this message (RFC 2779 §4.2.1, §5.4.1).
 * A stream returns one `BatchAck` for every message of a window of receipts,
 * and a drained mailbox one for a sender's messages in a drained batch: one
 * signature covers many.
 */
import { createHash } from 'node:crypto'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { equals } from 'uint8arrays/equals'
import { ACK_DOMAIN, BATCH_ACK_PAYLOAD_TYPE } from './constants.js'
import { InvalidMessageSignatureError } from './errors.js'
import { BatchAck } from './pb/message.js'
import { validEnvelope, type EnvelopeSigner } from '../utils/signed-envelopes.js'
import type { PeerId } from '@libp2p/interface'

/** sha2-256 of the envelope bytes: what an acknowledgement names */
export function messageDigest (envelope: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(envelope).digest())
}

/** One signature over a window of messages from `sender`, each named by id and digest */
export async function signBatchAck (signer: EnvelopeSigner, sender: PeerId, entries: BatchAck.Entry[], receivedAt: number): Promise<Uint8Array> {
  const payload = BatchAck.encode({ sender: sender.toMultihash().bytes, entries, receivedAt: BigInt(receivedAt) })
  // checked once, by the sender: nothing to remember
  return signer.seal(ACK_DOMAIN, BATCH_ACK_PAYLOAD_TYPE, payload, { remember: false })
}

/** Open `ack` as an envelope signed by `recipient` with the given payload type; returns its payload */
async function certified (ack: Uint8Array, recipient: PeerId, payloadType: Uint8Array): Promise<Uint8Array> {
  const opened = RecordEnvelope.createFromProtobuf(ack)
  if (!peerIdFromPublicKey(opened.publicKey).equals(recipient) || !equals(opened.payloadType, payloadType)) throw new Error('not the recipient\'s ack')
  if (!(await validEnvelope(opened, ACK_DOMAIN, { remember: false }))) throw new Error('the signature does not verify')
  return opened.payload
}

/**
 * Check that `ack` is the recipient's signed acknowledgement of messages
 * from `sender`; returns the digest acknowledged for each message id
 */
export async function verifyBatchAck (ack: Uint8Array, recipient: PeerId, sender: PeerId): Promise<Map<string, Uint8Array>> {
  return (await openBatchAck(ack, recipient, sender)).entries
}

/** As verifyBatchAck, with when the recipient stored the messages */
export async function openBatchAck (ack: Uint8Array, recipient: PeerId, sender: PeerId): Promise<{ entries: Map<string, Uint8Array>, receivedAt: number }> {
  try {
    const payload = BatchAck.decode(await certified(ack, recipient, BATCH_ACK_PAYLOAD_TYPE))
    if (!equals(payload.sender, sender.toMultihash().bytes)) throw new Error('ack is for another sender\'s messages')
    return { entries: new Map(payload.entries.map(entry => [entry.id, entry.digest])), receivedAt: Number(payload.receivedAt) }
  } catch (err: any) {
    throw new InvalidMessageSignatureError(`Invalid acknowledgement: ${err.message}`)
  }
}
