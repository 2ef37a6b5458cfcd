/**
 * Silent sockets against a relay's handshake slots: a stranger connects TCP
 * sockets from one address (127.0.0.2) and never starts the handshake.
 * libp2p refused every inbound connection while 10 such upgrades were in
 * flight, so the relay was deaf to everyone for the upgrade timeout, again
 * and again. Now one address holds at most its own share of the slots
 * (src/node/handshake-slots.ts), and gets them back when its upgrades end.
 */
import assert from 'node:assert/strict'
import { connect as tcpConnect, type Socket } from 'node:net'
import { MAX_INCOMING_PENDING_PER_ADDRESS } from '../../src/node/constants.js'
import { nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'

/** Short, so that the test sees the slots come back; libp2p's default is 10 s */
const UPGRADE_TIMEOUT_MS = 2_000

interface SilentSocket {
  socket: Socket
  closed: boolean
}

/** A TCP connection from 127.0.0.2 that sends nothing: a handshake that never starts */
async function silentSocket (port: number): Promise<SilentSocket> {
  const silent: SilentSocket = { socket: tcpConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }), closed: false }
  silent.socket.on('error', () => {})
  silent.socket.on('close', () => { silent.closed = true })
  // a socket the relay refuses may be reset before its 'connect' is seen
  await new Promise<void>(resolve => {
    silent.socket.once('connect', resolve)
    silent.socket.once('close', resolve)
  })
  return silent
}

async function silentSockets (port: number, count: number): Promise<SilentSocket[]> {
  const sockets: SilentSocket[] = []
  for (let i = 0; i < count; i++) sockets.push(await silentSocket(port))
  // the relay refuses at once what it refuses
  await new Promise(resolve => setTimeout(resolve, 500))
  return sockets
}

describe('adversarial: silent sockets from one address', function () {
  this.timeout(30_000)
  const nodes = nodesPerTest()
  let sockets: SilentSocket[] = []

  afterEach(() => {
    for (const { socket } of sockets.splice(0)) socket.destroy()
  })

  it('hold only their address\'s share of a relay\'s handshakes: everyone else still connects, and the slots come back', async () => {
    const relay = await nodes.start({ relay: true, connectionManager: { inboundUpgradeTimeout: UPGRADE_TIMEOUT_MS } })
    const port = Number(/\/tcp\/(\d+)/.exec(relay.libp2p.getMultiaddrs()[0].toString())?.[1])

    // twice the share from one address, within its 20 new connections a second
    sockets = await silentSockets(port, 2 * MAX_INCOMING_PENDING_PER_ADDRESS)
    const held = sockets.filter(s => !s.closed)
    assert.equal(held.length, MAX_INCOMING_PENDING_PER_ADDRESS, 'the relay holds one address\'s share of handshakes and closes the rest at once')

    // while they hang, a node on another address connects at once (before: refused for the whole upgrade timeout)
    const genuine = await nodes.start()
    const started = Date.now()
    await genuine.libp2p.dial(relay.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(UPGRADE_TIMEOUT_MS) })
    await waitFor(() => relay.libp2p.getConnections(genuine.peerId).length > 0, 1_000, 'the relay to see the connection')
    assert.ok(Date.now() - started < UPGRADE_TIMEOUT_MS)

    // the silent handshakes time out, and their slots are the address's again
    await waitFor(() => held.every(s => s.closed), 3 * UPGRADE_TIMEOUT_MS, 'the silent handshakes to time out')
    const again = await silentSockets(port, MAX_INCOMING_PENDING_PER_ADDRESS)
    sockets.push(...again)
    assert.equal(again.filter(s => !s.closed).length, MAX_INCOMING_PENDING_PER_ADDRESS, 'the address has its slots back')
  })
})
