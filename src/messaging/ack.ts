/**
 * The recipient's signed acknowledgement: proof for the sender that the
 * recipient's node persisted exactly this message (RFC 2779 §4.2.1, §5.4.1).
 */
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'uint8arrays/equals'
import { ACK_DOMAIN, ACK_PAYLOAD_TYPE } from './constants.js'
import { InvalidMessageSignatureError } from './errors.js'
import { Ack } from './pb/message.js'
import type { InstantMessage } from './message.js'
import type { PeerId, PrivateKey, Record } from '@libp2p/interface'

export async function messageDigest (envelope: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array((await sha256.digest(envelope)).digest)
}

export async function signAck (privateKey: PrivateKey, message: InstantMessage, envelope: Uint8Array, receivedAt: number): Promise<Uint8Array> {
  const payload = Ack.encode({
    sender: message.from.toMultihash().bytes,
    id: message.id,
    digest: await messageDigest(envelope),
    receivedAt: BigInt(receivedAt)
  })
  const record: Record = { domain: ACK_DOMAIN, codec: ACK_PAYLOAD_TYPE, marshal: () => payload, equals: other => equals(payload, other.marshal()) }
  return (await RecordEnvelope.seal(record, privateKey)).marshal()
}

/** Check that `ack` is the recipient's signed acknowledgement of this very message; returns when it was received */
export async function verifyAck (ack: Uint8Array, recipient: PeerId, message: InstantMessage, envelope: Uint8Array): Promise<number> {
  try {
    const opened = await RecordEnvelope.openAndCertify(ack, ACK_DOMAIN)
    if (!peerIdFromPublicKey(opened.publicKey).equals(recipient) || !equals(opened.payloadType, ACK_PAYLOAD_TYPE)) throw new Error('not the recipient\'s ack')
    const payload = Ack.decode(opened.payload)
    if (payload.id !== message.id || !equals(payload.sender, message.from.toMultihash().bytes) || !equals(payload.digest, await messageDigest(envelope))) {
      throw new Error('ack is for another message')
    }
    return Number(payload.receivedAt)
  } catch (err: any) {
    throw new InvalidMessageSignatureError(`Invalid acknowledgement: ${err.message}`)
  }
}
