import assert from 'node:assert/strict'
import { apiNode, type ApiNode } from '../helpers/api.js'
import { pmesh } from '../helpers/cli.js'
import { connect } from '../helpers/nodes.js'
import type { ApiEvent } from '../../src/api/index.js'

/**
 * `pmesh watch --duration 0` is a one-time fetch. On a loaded machine its notify reached the
 * command after the command had given up (it waited a fixed 200 ms); here the watcher's API holds
 * every notify back by 1.5 s to make that case certain.
 */
describe('pmesh watch --duration 0', function () {
  this.timeout(90_000)
  let presentity: ApiNode
  let watcher: ApiNode

  before(async () => {
    [presentity, watcher] = await Promise.all([apiNode(), apiNode()])
    await connect(watcher.node, presentity.node)
    await presentity.client.call('setPresence', { body: { availability: 'away', note: 'back at 3' } })
    const publish = watcher.served.api.publish.bind(watcher.served.api)
    watcher.served.api.publish = (event: ApiEvent): void => {
      if (event.type === 'presence:notify') setTimeout(() => publish(event), 1_500)
      else publish(event)
    }
  })
  after(async () => {
    await Promise.all([presentity?.close(), watcher?.close()])
  })

  it('waits for the notify and prints it once', async () => {
    const uri = `pres:${presentity.node.libp2p.peerId.toString()}`
    const once = await pmesh(['watch', uri, '--home', watcher.home, '--json', '--duration', '0'], 40_000)
    assert.equal(once.code, 0, once.stderr)
    const lines = once.stdout.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    assert.equal(lines.length, 1, once.stdout)
    assert.deepEqual([lines[0].basic, lines[0].availability, lines[0].note], ['open', 'away', 'back at 3'])
  })
})
