/**
 * One of our nodes in its own process, as `pmesh start` builds it
 * (createNode with a home: LevelDB, identity, config.json) but driven over
 * the fork IPC channel instead of the HTTP API, so messaging is timed where
 * `send()` is called: the in-process counterpart of raw-node.ts. Prints one
 * JSON line once it listens, exits when the channel closes.
 *
 * With --api it also serves the control API, as `pmesh start` does, for the
 * bench to time a message sent through it.
 *
 *   node dist/scripts/bench/im-node.js --home DIR [--bootstrap MA]… [--relay] [--firewalled] [--api]
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { Mail } from '../../src/messaging/pb/message.js'
import { sealMessage } from '../../src/messaging/message.js'
import { seal as sealBox } from '../../src/mailbox/sealed-box.js'
import { createNode } from '../../src/node/create-node.js'
import { serveNode } from '../../src/api/serve.js'
import { ensureHome } from '../../src/node/home.js'
import { loadOrCreateIdentity } from '../../src/node/identity.js'
import { messageText } from '../mesh/messaging.js'
import { stopWithParent } from './raw-libp2p.js'

export type ImCommand =
  | { op: 'dial', addr: string }
  | { op: 'addresses' }
  /** `count` messages to `to`, one at a time, each `send()` timed here: the times in ms, and whether the connection was relayed */
  | { op: 'send-timed', to: string, count: number }
  /** `count` messages to `to`, `concurrency` in flight: the seconds they took and how many were not delivered */
  | { op: 'send-burst', to: string, count: number, concurrency: number }
  /** `count` messages to `to` left in `mailbox` as a sender whose recipient is offline leaves them, `concurrency` at a time */
  | { op: 'deposit', mailbox: string, to: string, count: number, concurrency: number }
  /** CPU time this process has used, in µs */
  | { op: 'cpu' }

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    relay: { type: 'boolean', default: false },
    firewalled: { type: 'boolean', default: false },
    api: { type: 'boolean', default: false },
    /** Report when this many messages have arrived (the mailbox drain) */
    expect: { type: 'string' }
  }
})
if (values.home == null) throw new Error('--home is required')
const startedAt = performance.now()
const privateKey = await loadOrCreateIdentity((await ensureHome(values.home)).identityKey)
const node = await createNode({ home: values.home, privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: values.bootstrap, relay: values.relay, firewalled: values.firewalled, start: false })
const im = node.libp2p.services.im
const expected = values.expect != null ? Number(values.expect) : undefined
let arrived = 0
im.addEventListener('message', () => {
  arrived++
  // the drain figure: start → the last expected message stored, measured here
  if (arrived === expected) process.send?.({ event: 'delivery', key: `arrived:${arrived}`, ms: performance.now() - startedAt })
})
await node.start()
const served = values.api ? await serveNode(node) : undefined

async function run (command: ImCommand): Promise<unknown> {
  switch (command.op) {
    case 'dial':
      // force: a circuit address must give a relayed connection even if a direct one exists
      await node.libp2p.dial(multiaddr(command.addr), { signal: AbortSignal.timeout(10_000), force: true })
      return true
    case 'addresses':
      return node.libp2p.getMultiaddrs().map(ma => ma.toString())
    case 'send-timed': {
      const to = peerIdFromString(command.to)
      const times: number[] = []
      for (let i = 0; i < command.count; i++) {
        const t0 = performance.now()
        const result = await im.send(to, { body: messageText(i) })
        if (result.status !== 'delivered') throw new Error(`message ${i} not delivered: ${result.reason} ${result.detail}`)
        times.push(performance.now() - t0)
      }
      const limited = node.libp2p.getConnections(to).every(c => c.limits != null)
      return { times, limited }
    }
    case 'send-burst': {
      const to = peerIdFromString(command.to)
      let left = command.count
      let failed = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: command.concurrency }, async () => {
        while (left-- > 0) {
          if ((await im.send(to, { body: messageText(left) })).status !== 'delivered') failed++
        }
      }))
      return { seconds: (performance.now() - t0) / 1000, failed }
    }
    case 'deposit': {
      const mailbox = peerIdFromString(command.mailbox)
      const to = peerIdFromString(command.to)
      let left = command.count
      let refused = 0
      let reason = ''
      await Promise.all(Array.from({ length: command.concurrency }, async () => {
        while (left-- > 0) {
          const now = Date.now()
          const envelope = await sealMessage(privateKey, {
            from: node.peerId, to, id: `${now.toString(36)}-${left}`, date: now, contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode(messageText(left)), headers: []
          })
          const result = await node.libp2p.services.mailbox.deposit(mailbox, to, sealBox(to, Mail.encode({ message: envelope as Uint8Array<ArrayBuffer> })))
          if (result.status !== 'stored') {
            refused++
            reason = `${result.status}: ${result.reason}`
          }
        }
      }))
      return { refused, reason }
    }
    case 'cpu': {
      const { user, system } = process.cpuUsage()
      return user + system
    }
  }
}

process.on('message', (message: { id: number, command: ImCommand }) => {
  run(message.command).then(
    result => process.send?.({ reply: message.id, result }),
    (err: Error) => process.send?.({ reply: message.id, error: err.message })
  )
})
stopWithParent(async () => {
  await served?.close()
  await node.stop()
}, 2_000)

console.log(JSON.stringify({ peerId: node.peerId.toString(), addresses: node.libp2p.getMultiaddrs().map(ma => ma.toString()) }))
