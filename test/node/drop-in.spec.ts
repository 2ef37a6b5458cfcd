/**
 * Our services in someone else's libp2p node: a plain createLibp2p built as
 * the @examples say (no createNode, no libp2pOptions), exchanging presence
 * and a message; and the wiring mistakes that must fail at start, not later.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import assert from 'node:assert/strict'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p, type Libp2p } from 'libp2p'
import { DHT_PROTOCOL, instantMessaging, mailbox, MissingDhtWiringError, presence, presenceDhtInit } from '../../src/index.js'
import type { InstantMessaging, Mailbox, NotifyEvent, Presence, StoredMessage } from '../../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'

type Services = { identify: unknown, ping: unknown, dht: KadDHT, presence: Presence, mailbox: Mailbox, im: InstantMessaging }

async function plainNode (wired = true): Promise<Libp2p<Services>> {
  const datastore = new MemoryDatastore()
  return createLibp2p({
    datastore,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper, ...(wired ? presenceDhtInit(datastore) : {}) }),
      presence: presence(),
      mailbox: mailbox(),
      im: instantMessaging()
    }
  })
}

describe('our services in a plain libp2p node', function () {
  this.timeout(60_000)
  const nodes: Array<Libp2p<any>> = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => n.stop())) })

  it('exchange presence and a message without createNode', async () => {
    const alice = await plainNode()
    const bob = await plainNode()
    nodes.push(alice, bob)
    await bob.services.presence.allow(alice.peerId)
    await bob.services.im.allow(alice.peerId)
    await alice.dial(bob.getMultiaddrs()[0])

    const result = await alice.services.presence.subscribe(bob.peerId, { duration: 600 })
    assert.equal(result.status, 'success')

    const busy = new Promise<NotifyEvent>((resolve) => {
      const onNotify = (evt: CustomEvent<NotifyEvent>): void => {
        if (evt.detail.record?.availability === 'busy') { alice.services.presence.removeEventListener('notify', onNotify); resolve(evt.detail) }
      }
      alice.services.presence.addEventListener('notify', onNotify)
    })
    await bob.services.presence.publish({ availability: 'busy', note: { text: 'in a meeting' } })
    const notify = await busy
    assert.ok(notify.target.equals(bob.peerId))
    assert.equal(notify.record?.note?.text, 'in a meeting')

    const received = new Promise<StoredMessage>(resolve => bob.services.im.addEventListener('message', evt => resolve(evt.detail), { once: true }))
    const sent = await alice.services.im.send(bob.peerId, { body: 'hello from a plain node' })
    assert.equal(sent.status, 'delivered')
    const { message } = await received
    assert.equal(new TextDecoder().decode(message.body), 'hello from a plain node')
    assert.ok(message.from.equals(alice.peerId))
  })

  it('refuses to start presence on a DHT built without its validators, saying what to do', async () => {
    const err = await plainNode(false).then(async node => { nodes.push(node); return undefined }, (e: Error) => e)
    assert.ok(err instanceof MissingDhtWiringError, String(err))
    assert.match(err.message, /presenceDhtInit/)
  })

  it('refuses a messaging service without the presence and mailbox it depends on', async () => {
    const err = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), im: instantMessaging() as any }
    }).then(async node => { nodes.push(node); return undefined }, (e: Error) => e)
    // libp2p names what is missing: the component at once, or the capability after construction
    assert.ok(err?.name === 'MissingServiceError' || err?.name === 'UnmetServiceDependenciesError', String(err))
    assert.match(err.message, /mailbox|presence/)
  })
})
