/**
 * One baseline node (raw-libp2p.ts) in its own process, the counterpart of a
 * `pmesh start` process: prints one JSON line once it listens, then obeys
 * its parent over the fork IPC channel, and exits when that channel closes,
 * so it can never outlive the bench.
 *
 *   node dist/scripts/bench/raw-node.js [--bootstrap MA]… [--relay] [--behind-relay] [--datastore DIR]
 */
import { createServer, type Server } from 'node:http'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { drain } from '../../src/utils/streams.js'
import { performance } from 'node:perf_hooks'
import { ECHO_STREAM_PROTOCOL, StreamEcho, createRawNode, dhtKey, payload, payloadId, pushAll, stopWithParent } from './raw-libp2p.js'
import type { Connection } from '@libp2p/interface'

export type RawCommand =
  | { op: 'dial', addr: string }
  /** Push sample `id` to each of `peers` (peer ids), as a presentity pushes a change to its watchers */
  | { op: 'push', peers: string[], id: number, size: number }
  | { op: 'put', key: string, size: number }
  | { op: 'get', key: string }
  | { op: 'addresses' }
  /** One round trip on the long-lived echo stream to `addr` (dialled and opened once); answers whether it is relayed */
  | { op: 'stream-echo', addr: string, size: number }
  /** `count` round trips, one at a time, on the echo stream, each timed here: the times in ms */
  | { op: 'stream-echo-timed', addr: string, size: number, count: number }
  /** `count` round trips on the echo stream, `concurrency` in flight: the seconds they took */
  | { op: 'stream-echo-burst', addr: string, size: number, count: number, concurrency: number }
  /**
   * Serve `POST /v1/messages` on 127.0.0.1 as a bare node:http server: each
   * request's JSON is parsed and answered `{"status":"delivered"}` after one
   * round trip on the echo stream to `addr`. The baseline of our API's send:
   * the same HTTP exchange around a raw round trip. Answers the server's URL
   */
  | { op: 'http-echo', addr: string, size: number }
  /** CPU time this process has used, in µs */
  | { op: 'cpu' }

/**
 * Sent unasked when a push arrives (`key`: the sample) or a peer's
 * last connection closes (`key`: disconnect:<peer id>)
 */
export interface Delivery { event: 'delivery', key: string }

const { values } = parseArgs({
  options: {
    bootstrap: { type: 'string', multiple: true, default: [] },
    relay: { type: 'boolean', default: false },
    'behind-relay': { type: 'boolean', default: false },
    datastore: { type: 'string' }
  }
})
const onPush = (data: Uint8Array): void => {
  const delivery: Delivery = { event: 'delivery', key: String(payloadId(data)) }
  process.send?.(delivery)
}
const raw = await createRawNode({ bootstrap: values.bootstrap, relay: values.relay, behindRelay: values['behind-relay'], datastore: values.datastore, onPush })
const node = raw.libp2p

node.addEventListener('peer:disconnect', event => {
  const delivery: Delivery = { event: 'delivery', key: `disconnect:${event.detail.toString()}` }
  process.send?.(delivery)
})

/** The connection each echo target was dialled on: kept, as our messaging reuses an open connection */
const echoConnections = new Map<string, Connection>()

async function echoConnection (addr: string): Promise<Connection> {
  const known = echoConnections.get(addr)
  if (known?.status === 'open') return known
  // force: a circuit address must give a relayed connection even if a direct one exists
  const connection = await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000), force: true })
  echoConnections.set(addr, connection)
  return connection
}

/** The long-lived echo stream of each target, on its echo connection */
const echoStreams = new Map<string, { echo: StreamEcho, connection: Connection }>()

async function echoStream (addr: string): Promise<{ echo: StreamEcho, connection: Connection }> {
  const connection = await echoConnection(addr)
  const known = echoStreams.get(addr)
  if (known?.connection === connection) return known
  const stream = await connection.newStream(ECHO_STREAM_PROTOCOL, { signal: AbortSignal.timeout(10_000), runOnLimitedConnection: true })
  const opened = { echo: new StreamEcho(stream), connection }
  echoStreams.set(addr, opened)
  return opened
}

let httpEcho: Server | undefined

async function serveHttpEcho (addr: string, size: number): Promise<string> {
  httpEcho ??= createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string }
      echoStream(addr)
        .then(async ({ echo }) => echo.echo(payload(request.text?.length ?? 0, size)))
        .then(() => {
          const body = JSON.stringify({ status: 'delivered' })
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
          res.end(body)
        }, (err: Error) => { res.writeHead(500).end(JSON.stringify({ error: { code: 'echo', message: err.message } })) })
    })
  })
  const server = httpEcho
  if (!server.listening) await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address == null || typeof address === 'string') throw new Error('the HTTP echo server has no TCP address')
  return `http://127.0.0.1:${address.port}`
}

async function run (command: RawCommand): Promise<unknown> {
  switch (command.op) {
    case 'dial':
      await node.dial(multiaddr(command.addr), { signal: AbortSignal.timeout(10_000) })
      return true
    case 'push':
      await pushAll(node, command.peers, payload(command.id, command.size))
      return true
    case 'put':
      // drained like presence's own put: done when the query is
      await drain(node.services.dht.put(dhtKey(command.key), payload(0, command.size), { signal: AbortSignal.timeout(30_000) }))
      return true
    case 'get': {
      // drained like presence's fetch, which reads every answer to pick the newest
      let size = 0
      for await (const event of node.services.dht.get(dhtKey(command.key), { signal: AbortSignal.timeout(10_000) })) {
        if (event.name === 'VALUE') size = event.value.byteLength
      }
      return size
    }
    case 'addresses':
      return node.getMultiaddrs().map(ma => ma.toString())
    case 'stream-echo': {
      const { echo, connection } = await echoStream(command.addr)
      await echo.echo(payload(0, command.size))
      return { limited: connection.limits != null }
    }
    case 'stream-echo-timed': {
      const { echo } = await echoStream(command.addr)
      const times: number[] = []
      for (let i = 0; i < command.count; i++) {
        const t0 = performance.now()
        await echo.echo(payload(i, command.size))
        times.push(performance.now() - t0)
      }
      return times
    }
    case 'stream-echo-burst': {
      const { echo } = await echoStream(command.addr)
      let left = command.count
      const t0 = performance.now()
      await Promise.all(Array.from({ length: command.concurrency }, async () => {
        while (left-- > 0) await echo.echo(payload(left, command.size))
      }))
      return (performance.now() - t0) / 1000
    }
    case 'http-echo':
      return serveHttpEcho(command.addr, command.size)
    case 'cpu': {
      const { user, system } = process.cpuUsage()
      return user + system
    }
  }
}

process.on('message', (message: { id: number, command: RawCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
// like pmesh start: never take more than 2 s to stop
stopWithParent(async () => {
  httpEcho?.closeAllConnections()
  httpEcho?.close()
  await raw.stop()
}, 2_000)

console.log(JSON.stringify({ peerId: node.peerId.toString(), addresses: node.getMultiaddrs().map(ma => ma.toString()) }))
