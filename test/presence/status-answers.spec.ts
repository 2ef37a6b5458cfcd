/**
 * A presentity's answer without a status (0 is UNSPECIFIED in subscribe 3.0.0),
 * from a foreign node: the watcher does not take it as a grant.
 */
import assert from 'node:assert/strict'
import { pbStream } from '@libp2p/utils'
import { SubscribeRequest, SubscribeResponse } from '../../src/presence/pb/protocol.js'
import { SUBSCRIBE_PROTOCOL } from '../../src/presence/protocol.js'
import { foreignNode } from '../adversarial/foreign-node.js'
import { startNode, stopAll } from '../helpers/nodes.js'

describe('a subscribe answer without a status', function () {
  this.timeout(30_000)

  it('a presentity that answers a subscribe with an empty message does not register the watcher', async () => {
    const stranger = await foreignNode()
    await stranger.handle(SUBSCRIBE_PROTOCOL, async (stream) => {
      const pb = pbStream(stream)
      await pb.read(SubscribeRequest)
      await pb.write({} as any, SubscribeResponse)
      await stream.close()
    }, { runOnLimitedConnection: true })
    const watcher = await startNode()
    try {
      await watcher.libp2p.dial(stranger.getMultiaddrs()[0])
      const result = await watcher.libp2p.services.presence.subscribe(stranger.peerId, { duration: 600, signal: AbortSignal.timeout(10_000) })
      assert.notEqual(result.status, 'failure')
      const [subscription] = watcher.libp2p.services.presence.subscriptions()
      assert.equal(subscription.grantedUntil, 0, 'an answer without a status is no grant: the watcher keeps looking for the presentity')
    } finally {
      await stopAll(watcher)
      await stranger.stop()
    }
  })
})
