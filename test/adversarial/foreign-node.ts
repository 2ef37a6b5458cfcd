/**
 * The attacker of the adversarial tests: a node written from docs/PROTOCOL.md
 * alone. It is plain libp2p (TCP, Noise, Yamux, identify) and speaks our
 * protocols with the codecs protons generates from our .proto files — never
 * with presence-mesh's own services, record helpers or node factory, so what
 * it can do is what any stranger on the network can do.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p, type ServiceFactoryMap } from 'libp2p'
import * as varint from 'uint8-varint'
import type { Identify } from '@libp2p/identify'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ServiceMap, Stream } from '@libp2p/interface'

export type ForeignNode = Libp2p<{ identify: Identify }>

/**
 * A stranger's node on 127.0.0.1, with a fresh identity: plain libp2p, with
 * identify and whatever other stock services an attack needs
 */
export async function foreignNode<T extends ServiceMap = Record<never, never>> (services?: ServiceFactoryMap<T>): Promise<Libp2p<T & { identify: Identify }>> {
  return createLibp2p<T & { identify: Identify }>({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // an attacker opens as many streams as the target lets it
    connectionManager: { maxConnections: 1_000 },
    services: { ...services, identify: identify() } as ServiceFactoryMap<T & { identify: Identify }>
  })
}

/** Open a stream of `protocol` to `target`, as many times as the target allows */
export async function openRaw (node: ForeignNode, target: Multiaddr, protocol: string): Promise<Stream> {
  return node.dialProtocol(target, protocol, { signal: AbortSignal.timeout(5_000), runOnLimitedConnection: true })
}

/**
 * Announce a length-prefixed frame of `announced` bytes and send only the
 * first `sent` of them, then stall: the half-written frame a reader that
 * trusts length prefixes buffers for.
 */
export function sendHalfFrame (stream: Stream, announced: number, sent = Math.min(announced, 1024)): void {
  const prefix = varint.encode(announced)
  const frame = new Uint8Array(prefix.byteLength + sent)
  frame.set(prefix)
  frame.fill(0x0a, prefix.byteLength)
  stream.send(frame)
}

/** Resident memory of a process, in MiB, read from /proc (Linux) */
export async function rssMiB (pid = process.pid): Promise<number> {
  const { readFile } = await import('node:fs/promises')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status)
  if (match == null) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) / 1024
}
