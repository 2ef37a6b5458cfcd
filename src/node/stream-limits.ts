/**
 * The inbound stream limits of every protocol a node serves: ours, from the
 * constants next to each protocol, and the libraries', fitted to our record
 * sizes (constants.ts). See "Stream limits" in docs/PROTOCOL.md.
 */
import { INVITE_PROTOCOL, INVITE_STREAMS_PER_CONNECTION, REDEEM_FRAME_LIMIT } from '../contacts/constants.js'
import { IM_PROTOCOL, IM_STREAMS_PER_CONNECTION } from '../messaging/constants.js'
import { DEPOSIT_FRAME_LIMIT, DEPOSIT_PROTOCOL, DEPOSIT_STREAMS_PER_CONNECTION, DRAIN_FRAME_LIMIT, DRAIN_PROTOCOL, DRAIN_STREAMS_PER_CONNECTION, NOTIFY_PROTOCOL, NOTIFY_STREAMS_PER_CONNECTION } from '../mailbox/constants.js'
import { NOTICE_FRAME_LIMIT, NOTICE_PROTOCOL, NOTICE_STREAMS_PER_CONNECTION, PUSH_FRAME_LIMIT, PUSH_PROTOCOL, PUSH_STREAMS_PER_CONNECTION, SUBSCRIBE_FRAME_LIMIT, SUBSCRIBE_PROTOCOL, SUBSCRIBE_STREAMS_PER_CONNECTION, WILL_FRAME_LIMIT, WILL_PROTOCOL, WILL_STREAMS_PER_CONNECTION } from '../presence/protocol.js'
import { DCUTR_FRAME_LIMIT, DHT_PROTOCOL, PING_STREAM_BYTE_LIMIT, DHT_REQUEST_FRAME_LIMIT, DHT_STREAMS_PER_CONNECTION, IDENTIFY_FRAME_LIMIT, RELAY_HANDSHAKE_FRAME_LIMIT } from './constants.js'
import type { ProtocolStreamLimits, StreamLimitsInit } from '../utils/stream-limits.js'

export const IDENTIFY_PROTOCOL = '/ipfs/id/1.0.0'
export const IDENTIFY_PUSH_PROTOCOL = '/ipfs/id/push/1.0.0'
export const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'
export const RELAY_STOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/stop'
export const DCUTR_PROTOCOL = '/libp2p/dcutr'
export const PING_PROTOCOL = '/ipfs/ping/1.0.0'

/** Any length a varint of 5 bytes holds */
const IM_ANY_LENGTH = 2 ** 35 - 1

/**
 * Inbound streams a node holds at once, of each request/response protocol
 * (ours, kad-dht, identify, ping, DCUtR); each stream buffers at most its
 * protocol's largest message (docs/PROTOCOL.md, "Stream limits"). Beyond a
 * bound a new stream is aborted at once. `"streams"` in config.json.
 */
export interface StreamSettings {
  /** … from one remote peer, across its connections. Default: 16 */
  maxPerPeer: number
  /** … from everyone: a stranger with many identities meets this one. Default: 128 */
  maxPerProtocol: number
  /** Inbound streams of all protocols together from one remote peer. Default: 64 */
  maxPerPeerTotal: number
}

export const DEFAULT_STREAM_SETTINGS: Readonly<StreamSettings> = Object.freeze({ maxPerPeer: 16, maxPerProtocol: 128, maxPerPeerTotal: 64 })

export interface NodeStreamLimitsOptions {
  streams: StreamSettings
  maxConnections: number
}

export function nodeStreamLimits ({ streams, maxConnections }: NodeStreamLimitsOptions): StreamLimitsInit {
  /** A request/response protocol: bounded per peer and across the node by the settings */
  const request = (perConnection: number | undefined, maxFrame: number, frames: number): ProtocolStreamLimits =>
    ({ perConnection, perPeer: streams.maxPerPeer, perNode: streams.maxPerProtocol, frames: { maxFrame, frames } })
  // a stream that lives as long as its connection: one per connection, so the node-wide bound follows the connections
  const lifelong = maxConnections * 2

  const protocols = new Map<string, ProtocolStreamLimits>([
    // one long-lived stream per connection carrying any number of messages; a message over the limit is
    // answered TOO_LARGE from its length prefix by the handler itself, which then ends the stream
    [IM_PROTOCOL, { perConnection: IM_STREAMS_PER_CONNECTION, perPeer: IM_STREAMS_PER_CONNECTION * 2, perNode: lifelong, frames: { maxFrame: IM_ANY_LENGTH } }],
    [DEPOSIT_PROTOCOL, request(DEPOSIT_STREAMS_PER_CONNECTION, DEPOSIT_FRAME_LIMIT, 1)],
    // a DrainRequest, then the DrainAck of the batch
    [DRAIN_PROTOCOL, request(DRAIN_STREAMS_PER_CONNECTION, DRAIN_FRAME_LIMIT, 2)],
    // "you have mail" carries no bytes at all
    [NOTIFY_PROTOCOL, request(NOTIFY_STREAMS_PER_CONNECTION, 0, 0)],
    [SUBSCRIBE_PROTOCOL, request(SUBSCRIBE_STREAMS_PER_CONNECTION, SUBSCRIBE_FRAME_LIMIT, 1)],
    [NOTICE_PROTOCOL, request(NOTICE_STREAMS_PER_CONNECTION, NOTICE_FRAME_LIMIT, 1)],
    [WILL_PROTOCOL, request(WILL_STREAMS_PER_CONNECTION, WILL_FRAME_LIMIT, 1)],
    [INVITE_PROTOCOL, request(INVITE_STREAMS_PER_CONNECTION, REDEEM_FRAME_LIMIT, 1)],
    [PUSH_PROTOCOL, request(PUSH_STREAMS_PER_CONNECTION, PUSH_FRAME_LIMIT, 1)],
    // kad-dht may send several requests on one stream
    [DHT_PROTOCOL, { perConnection: DHT_STREAMS_PER_CONNECTION, perPeer: streams.maxPerPeer, perNode: streams.maxPerProtocol, frames: { maxFrame: DHT_REQUEST_FRAME_LIMIT } }],
    // the identify requester sends nothing: the answer is ours; a push is one message (per connection: identify's own limit of 1)
    [IDENTIFY_PROTOCOL, request(undefined, 0, 0)],
    [IDENTIFY_PUSH_PROTOCOL, request(undefined, IDENTIFY_FRAME_LIMIT, 1)],
    // the responder's side: the initiator's CONNECT, then its SYNC
    [DCUTR_PROTOCOL, request(undefined, DCUTR_FRAME_LIMIT, 2)],
    // unframed 32-byte rounds, echoed: a budget of bytes per stream (constants.ts)
    [PING_PROTOCOL, { perPeer: streams.maxPerPeer, perNode: streams.maxPerProtocol, frames: { maxFrame: 0, frames: 0, after: 'raw', maxRawBytes: PING_STREAM_BYTE_LIMIT } }],
    // a relayed connection lives in a hop stream at the relay and a stop stream at its end; after the
    // handshake message the stream carries that connection's bytes, limited by the relay's data limit
    [RELAY_HOP_PROTOCOL, { perPeer: streams.maxPerPeer, perNode: lifelong, relayed: true, frames: { maxFrame: RELAY_HANDSHAKE_FRAME_LIMIT, frames: 1, after: 'raw' } }],
    // every stop stream comes from a relay: one per connection relayed to us through it
    [RELAY_STOP_PROTOCOL, { perPeer: lifelong, perNode: lifelong, outsidePeerTotal: true, frames: { maxFrame: RELAY_HANDSHAKE_FRAME_LIMIT, frames: 1, after: 'raw' } }]
  ])
  // anything else: counted, bytes not looked at
  return { protocols, fallback: { perPeer: streams.maxPerPeer, perNode: streams.maxPerProtocol }, perPeerTotal: streams.maxPerPeerTotal }
}
