/**
 * A caller's AbortSignal ends its wait for a publish, not the publish: the
 * control API aborts a request's signal as soon as it has answered, while
 * the pushes to watchers we had hung up on are still dialling. Those pushes
 * were aborted with it, and the watchers marked unreachable for the next
 * changes too (contacts-cli's "note cleared in Bob's list", 1 run in 4 under load).
 */
import assert from 'node:assert/strict'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'

describe('publishing with a signal the caller aborts', function () {
  this.timeout(30_000)
  const { start } = nodesPerTest()

  it('still reaches a watcher we had hung up on, and the next change does too', async () => {
    const [presentity, watcher] = await Promise.all([start(), start()])
    await connect(watcher, presentity)
    const notes: string[] = []
    watcher.libp2p.services.presence.addEventListener('notify', event => {
      const text = event.detail.record?.note?.text
      if (text != null) notes.push(text)
    })
    const result = await watcher.libp2p.services.presence.subscribe(presentity.peerId, { duration: 600, signal: AbortSignal.timeout(10_000) })
    assert.equal(result.status, 'success')
    // at rest, as after the watcher's hang-up: the push must dial
    await presentity.libp2p.hangUp(watcher.peerId)
    await waitFor(() => presentity.libp2p.getConnections(watcher.peerId).length === 0, 5_000, 'no connection left')

    const caller = new AbortController()
    await presentity.libp2p.services.presence.publish({ note: { text: 'first' } }, { signal: caller.signal })
    caller.abort()
    await waitFor(() => notes.includes('first'), 10_000, 'the change published by a caller that then went away')
    await presentity.libp2p.services.presence.publish({ note: { text: 'second' } }, { signal: AbortSignal.timeout(5_000) })
    await waitFor(() => notes.includes('second'), 10_000, 'the next change')
  })
})
