/**
 * The integrity attacker: a stranger's node of plain libp2p that also runs
 * a kad-dht client and pushes records by hand, configured with the ids of
 * docs/PROTOCOL.md, and signs presence records and messages itself with
 * @libp2p/crypto keys, RecordEnvelope and the codecs protons generates from
 * our .proto files — never with presence-mesh's own helpers, so that what it
 * sends is what anyone on the network can send.
 */
import { type Identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { RecordEnvelope } from '@libp2p/peer-record'
import { ping, type Ping } from '@libp2p/ping'
import { pbStream } from '@libp2p/utils'
import { foreignNode } from './foreign-node.js'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
import { Basic, PresenceRecord } from '../../src/presence/pb/presence.js'
import { Push } from '../../src/presence/pb/protocol.js'
import { Deliver, InstantMessage, Receipts, type Receipt } from '../../src/messaging/pb/message.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { Multiaddr } from '@multiformats/multiaddr'

/** docs/PROTOCOL.md: the mesh's own Kademlia, delivery protocol, signature domains and payload types */
export const DHT_PROTOCOL = '/presence-mesh/kad/1.0.0'
export const IM_PROTOCOL = '/presence-mesh/im/4.0.0'
export const PUSH_PROTOCOL = '/presence-mesh/presence/push/1.0.0'
const PRESENCE_DOMAIN = 'presence-mesh-presence'
const PRESENCE_PAYLOAD_TYPE = fromString('/presence-mesh/presence/1')
const MESSAGE_DOMAIN = 'presence-mesh-im'
const MESSAGE_PAYLOAD_TYPE = fromString('/presence-mesh/im/1')

export type Attacker = Libp2p<{ identify: Identify, ping: Ping, dht: KadDHT }>

/** A stranger with a DHT client that takes any value (it wants to store junk, not judge it) */
export async function attackerNode (): Promise<Attacker> {
  return foreignNode<{ ping: Ping, dht: KadDHT }>({
    ping: ping(),
    dht: kadDHT({
      protocol: DHT_PROTOCOL,
      clientMode: true,
      peerInfoMapper: passthroughMapper,
      validators: { presence: async () => {} },
      selectors: { presence: () => 0 }
    })
  })
}

/**
 * Push one envelope to `target` as a presentity pushes a change: a stream,
 * one length-prefixed `Push`, closed. Whether the target took the stream to
 * its end (`closed`) or reset it (`aborted`: it rejected the record, or
 * refuses this sender)
 */
export async function pushRecord (node: Libp2p, target: Multiaddr, envelope: Uint8Array): Promise<'closed' | 'aborted'> {
  const signal = AbortSignal.timeout(5_000)
  try {
    const stream = await node.dialProtocol(target, PUSH_PROTOCOL, { signal })
    await pbStream(stream).write({ record: new Uint8Array(envelope) }, Push, { signal })
    await stream.close({ signal })
    // the target resets the stream after reading, on a reject: wait for its verdict
    const reset = await new Promise<boolean>(resolve => {
      if (stream.status === 'aborted' || stream.status === 'reset') { resolve(true); return }
      if (stream.status === 'closed') { resolve(false); return }
      stream.addEventListener('close', event => { resolve(event.error != null) }, { once: true })
    })
    return reset ? 'aborted' : 'closed'
  } catch {
    return 'aborted'
  }
}

/** `/presence/` followed by the binary multihash */
export function presenceKeyOf (peer: PeerId): Uint8Array {
  return concat([fromString('/presence/'), peer.toMultihash().bytes])
}

export interface RecordFields {
  presentity: PeerId
  seq: bigint
  note?: string
  basic?: 'open' | 'closed'
  issuedAt?: number
  expiresAt?: number
}

/** A presence record as PROTOCOL.md describes it, signed by whatever key the attacker holds */
export async function signRecord (signer: PrivateKey, fields: RecordFields): Promise<Uint8Array> {
  const issuedAt = fields.issuedAt ?? Date.now()
  const payload = PresenceRecord.encode({
    presentity: fields.presentity.toMultihash().bytes,
    basic: fields.basic === 'closed' ? Basic.BASIC_CLOSED : Basic.BASIC_OPEN,
    availability: 1,
    note: fields.note == null ? undefined : { text: fields.note, lang: '' },
    seq: fields.seq,
    issuedAt: BigInt(issuedAt),
    expiresAt: BigInt(fields.expiresAt ?? issuedAt + 3_600_000)
  })
  return seal(signer, PRESENCE_DOMAIN, PRESENCE_PAYLOAD_TYPE, payload)
}

/** The record inside envelope bytes, decoded without any check */
export function readRecord (envelope: Uint8Array): PresenceRecord {
  return PresenceRecord.decode(RecordEnvelope.createFromProtobuf(envelope).payload)
}

export interface MessageFields {
  from: PeerId
  to: PeerId
  id: string
  text: string
  date?: number
}

export async function signMessage (signer: PrivateKey, fields: MessageFields): Promise<Uint8Array> {
  const payload = InstantMessage.encode({
    from: fields.from.toMultihash().bytes,
    to: fields.to.toMultihash().bytes,
    id: fields.id,
    date: BigInt(fields.date ?? Date.now()),
    contentType: 'text/plain; charset=utf-8',
    body: fromString(fields.text)
  })
  return seal(signer, MESSAGE_DOMAIN, MESSAGE_PAYLOAD_TYPE, payload)
}

/** Deliver one envelope as a sender would and read the receipt */
export async function deliver (attacker: Attacker, target: Multiaddr, envelope: Uint8Array): Promise<Receipt> {
  const signal = AbortSignal.timeout(10_000)
  const stream = await attacker.dialProtocol(target, IM_PROTOCOL, { signal })
  const pb = pbStream(stream)
  await pb.write({ envelope: new Uint8Array(envelope) }, Deliver, { signal })
  const frame = await pb.read(Receipts, { signal })
  await stream.close({ signal })
  // one message on the stream: its receipt, with the frame's ack and token
  return { ...frame.receipts[0], ack: frame.ack, depositToken: frame.depositToken }
}

/** How the DHT servers the attacker reached answered a put of `value` under `key` */
export async function putValue (attacker: Attacker, key: Uint8Array, value: Uint8Array): Promise<{ stored: string[], refused: string[] }> {
  const stored: string[] = []
  const refused: string[] = []
  for await (const event of attacker.services.dht.put(key, value, { signal: AbortSignal.timeout(10_000) })) {
    if (event.name === 'PEER_RESPONSE' && event.record != null) stored.push(event.from.toString())
    if (event.name === 'QUERY_ERROR') refused.push(event.from.toString())
  }
  return { stored, refused }
}

/** The attacker's kad-dht has a server in its routing table, so puts and gets reach it */
export function knowsServer (attacker: Attacker): boolean {
  const table = (attacker.services.dht as unknown as { routingTable?: { size: number } }).routingTable
  return (table?.size ?? 0) > 0
}

async function seal (signer: PrivateKey, domain: string, codec: Uint8Array, payload: Uint8Array): Promise<Uint8Array> {
  return (await RecordEnvelope.seal({ domain, codec, marshal: () => payload, equals: () => false }, signer)).marshal()
}
