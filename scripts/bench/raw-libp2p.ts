/**
 * The baseline node: our node's libp2p, built by the same options builder
 * as createNode() (src/node/libp2p-options.ts: transports, encryption, muxer,
 * connection manager, monitor and gater, stream limits, identify, ping,
 * kad-dht, DCUtR, and a relay server when asked) and with the
 * same kind of datastore (LevelDB in a directory, as a pmesh home's), but
 * none of the presence-mesh services (presence, mailbox, im), no control API
 * and no identity file; an echo on a long-lived stream stands in for a
 * message and its receipt, and one push protocol for a presence push (a
 * stream opened to each watcher, one payload written, closed). raw-node.ts
 * runs one per process; the in-process presence bench (push-bench.ts) runs many.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { MemoryDatastore } from 'datastore-core'
import { LevelDatastore } from 'datastore-level'
import { fromString } from 'uint8arrays/from-string'
import { IM_STREAMS_PER_CONNECTION } from '../../src/messaging/constants.js'
import { PUSH_STREAMS_PER_CONNECTION } from '../../src/presence/protocol.js'
import { mergeSettings } from '../../src/node/config.js'
import { createMeshLibp2p, type Libp2pServices } from '../../src/node/libp2p-options.js'
import { ONE_HOST_CONNECTIONS } from './idle-probe.js'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'

/** DHT keys are /bench/<name>; kad-dht refuses namespaces without a validator */
const NAMESPACE = 'bench'
/**
 * Length-prefixed payloads on one long-lived stream, each echoed as it
 * comes: a message and its receipt without our layer, on the floor of our
 * messaging protocol (one stream per connection, many in flight)
 */
export const ECHO_STREAM_PROTOCOL = '/presence-mesh-bench/echo-stream/1.0.0'
/** One length-prefixed payload, no answer: a presence push without our layer */
export const PUSH_BENCH_PROTOCOL = '/presence-mesh-bench/push/1.0.0'
/** Larger than any payload the bench sends (a message envelope is about 0.5 KiB) */
const MAX_ECHO_BYTES = 64 * 1024

export interface RawNodeOptions {
  bootstrap: string[]
  /** Serve circuit relay v2, as `pmesh start --relay` does (the same settings: all our relay's limits) */
  relay?: boolean
  /** Reachable only through relay reservations, as `pmesh start --firewalled` */
  behindRelay?: boolean
  /** The LevelDB directory, as a pmesh home's `datastore/`; none: in memory */
  datastore?: string
  /** Called with each pushed payload */
  onPush?: (data: Uint8Array) => void
}

export type RawLibp2p = Libp2p<Libp2pServices>

export interface RawNode {
  libp2p: RawLibp2p
  /** Stop libp2p, then close the datastore */
  stop(): Promise<void>
}

export async function createRawNode ({ bootstrap, relay = false, behindRelay = false, datastore: dir, onPush }: RawNodeOptions): Promise<RawNode> {
  // the settings `pmesh start --listen /ip4/127.0.0.1/tcp/0 [--bootstrap …] [--relay] [--firewalled]` runs with
  const settings = mergeSettings({ listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, relay, firewalled: behindRelay, connections: ONE_HOST_CONNECTIONS })
  const level = dir != null ? new LevelDatastore(dir) : undefined
  await level?.open()
  const datastore: Datastore = level ?? new MemoryDatastore()
  const libp2p = await createMeshLibp2p(settings, {
    privateKey: await generateKeyPair('Ed25519'),
    datastore,
    dht: { validators: { [NAMESPACE]: async () => {} }, selectors: { [NAMESPACE]: () => 0 } }
  })
  await libp2p.start()
  // like our messaging protocol: allowed on relayed (limited) connections, as many streams per
  // connection, and counted by the stream limits (registered after they wrapped the registrar)
  await libp2p.handle(ECHO_STREAM_PROTOCOL, async stream => {
    const lp = lpStream(stream, { maxDataLength: MAX_ECHO_BYTES })
    try {
      while (true) await lp.write(await lp.read())
    } catch {
      // the sender closed its end
    }
    await stream.close().catch(err => { stream.abort(err) })
  }, { maxInboundStreams: IM_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
  // like presence's push: allowed on relayed connections, as many streams per connection
  await libp2p.handle(PUSH_BENCH_PROTOCOL, async stream => {
    const data = await lpStream(stream, { maxDataLength: MAX_ECHO_BYTES }).read()
    // delivered before the close, as presence's push notifies before it closes: timing the close
    // too put a wait on the baseline's side only
    onPush?.(data.subarray())
    await stream.close()
  }, { maxInboundStreams: PUSH_STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
  return {
    libp2p,
    stop: async () => {
      await libp2p.stop()
      await level?.close()
    }
  }
}

/** The sender's end of an echo stream: payloads out, echoes back in order, as many in flight as asked */
export class StreamEcho {
  private readonly lp: ReturnType<typeof lpStream>
  private readonly stream: Stream
  private readonly waiting: Array<(bytes: number) => void> = []

  constructor (stream: Stream) {
    this.stream = stream
    this.lp = lpStream(stream, { maxDataLength: MAX_ECHO_BYTES })
    void this.read()
  }

  private async read (): Promise<void> {
    try {
      while (true) {
        const back = await this.lp.read()
        this.waiting.shift()?.(back.byteLength)
      }
    } catch {
      // closed
    }
  }

  /** One round trip: resolves once this payload's echo is back */
  async echo (bytes: Uint8Array): Promise<void> {
    const back = new Promise<number>(resolve => this.waiting.push(resolve))
    await this.lp.write(bytes)
    const length = await back
    if (length !== bytes.byteLength) throw new Error(`echo returned ${length} of ${bytes.byteLength} bytes`)
  }

  async close (): Promise<void> {
    await this.stream.close()
  }
}

/** Push `bytes` to each peer on a fresh stream, all at once, as presence fans a change out */
export async function pushAll (node: RawLibp2p, peers: string[], bytes: Uint8Array): Promise<void> {
  await Promise.all(peers.map(async peer => {
    const signal = AbortSignal.timeout(10_000)
    const stream = await node.dialProtocol(peerIdFromString(peer), PUSH_BENCH_PROTOCOL, { signal, runOnLimitedConnection: true })
    await lpStream(stream).write(bytes, { signal })
    await stream.close({ signal })
  }))
}

export function dhtKey (name: string): Uint8Array {
  return fromString(`/${NAMESPACE}/${name}`)
}

/** A payload of `size` bytes whose first bytes say which sample it is */
export function payload (id: number, size: number): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, 16))
  bytes.set(fromString(`${id}:`))
  return bytes
}

export function payloadId (data: Uint8Array): number {
  return Number.parseInt(new TextDecoder().decode(data.subarray(0, 16)), 10)
}

/** Stop on SIGTERM/SIGINT or when the parent's IPC channel closes, within `deadlineMs` whatever happens */
export function stopWithParent (stop: () => Promise<unknown>, deadlineMs: number): void {
  let stopping = false
  const onSignal = (): void => {
    if (stopping) return
    stopping = true
    setTimeout(() => process.exit(1), deadlineMs).unref()
    stop().finally(() => process.exit(0))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  // the bench died without stopping us: never outlive it
  process.on('disconnect', onSignal)
}
