/**
 * `npm run bench -- bodies [--quick]`: a 1 MiB message body sent with
 * send() — signed, cut into 64 KiB parts, reserved, put together, verified,
 * stored, acknowledged (design record 019) — beside its raw floor measured
 * in the same run: 1 MiB written on a libp2p stream of the same options
 * builder and a one-byte answer once it is all read. Both on 127.0.0.1,
 * two nodes in this process; ours run first and are stopped before the
 * baseline starts. Printed with the load average, not written: the machine
 * is shared, and the design record quotes the figures it was given.
 */
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { lpStream } from '@libp2p/utils'
import { createNode, type PresenceMeshNode } from '../../src/node/create-node.js'
import { formatSummary, summarize } from '../mesh/stats.js'
import { createRawNode } from './raw-libp2p.js'

const MiB = 1024 * 1024
/** One 1 MiB payload, answered with one byte once read: the floor of a message and its receipt */
const BULK_PROTOCOL = '/presence-mesh-bench/bulk/1.0.0'
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

/** Time `rounds` 1 MiB sends between two contacts, after one unmeasured warm-up */
async function ours (rounds: number): Promise<number[]> {
  const started: PresenceMeshNode[] = []
  try {
    const [a, b] = await Promise.all([createNode({ listen: LOOPBACK }), createNode({ listen: LOOPBACK })])
    started.push(a, b)
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0])
    await b.libp2p.services.im.allow(a.peerId)
    const samples: number[] = []
    for (let i = 0; i <= rounds; i++) {
      const body = new Uint8Array(randomBytes(MiB))
      const t = performance.now()
      const result = await a.libp2p.services.im.send(b.peerId, { body, contentType: 'application/octet-stream' })
      if (result.status !== 'delivered') throw new Error(`a 1 MiB send was not delivered: ${JSON.stringify(result)}`)
      if (i > 0) samples.push(performance.now() - t)
    }
    return samples
  } finally {
    await Promise.all(started.map(async node => node.stop()))
  }
}

/** The same payloads on a raw stream per round (a stream open, as our first message pays once) */
async function raw (rounds: number): Promise<number[]> {
  const [a, b] = await Promise.all([createRawNode({ bootstrap: [] }), createRawNode({ bootstrap: [] })])
  try {
    await b.libp2p.handle(BULK_PROTOCOL, async stream => {
      const lp = lpStream(stream, { maxDataLength: 2 * MiB })
      try {
        while (true) {
          await lp.read()
          await lp.write(new Uint8Array(1))
        }
      } catch {
        // the sender closed its end
      }
      await stream.close().catch(err => { stream.abort(err) })
    }, { runOnLimitedConnection: true })
    const stream = await a.libp2p.dialProtocol(b.libp2p.getMultiaddrs()[0], BULK_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: 16 })
    const samples: number[] = []
    for (let i = 0; i <= rounds; i++) {
      const payload = new Uint8Array(randomBytes(MiB))
      const t = performance.now()
      await lp.write(payload)
      await lp.read()
      if (i > 0) samples.push(performance.now() - t)
    }
    await stream.close()
    return samples
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}

export async function bodiesMain (quick: boolean): Promise<number> {
  const rounds = quick ? 5 : 20
  const loadStart = loadavg()[0]
  const oursMs = await ours(rounds)
  const rawMs = await raw(rounds)
  const loadEnd = loadavg()[0]
  console.log(`1 MiB body, ${rounds} rounds each, load average ${loadStart.toFixed(1)} → ${loadEnd.toFixed(1)}`)
  console.log(`  ours: send() → verified receipt (parts, reservation, signature, store, ack): ${formatSummary(summarize(oursMs))}`)
  console.log(`  raw:  1 MiB on a libp2p stream → one-byte answer:                          ${formatSummary(summarize(rawMs))}`)
  return 0
}
