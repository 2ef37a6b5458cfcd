import assert from 'node:assert/strict'
import { pmesh } from '../helpers/cli.js'
import { cliSession } from '../helpers/cli-session.js'
import { fetchBasic, MIN_PAUSE_MS, RECOVERY_MS, sleepMesh, untilDropped } from '../helpers/sleep-mesh.js'

/** A watcher that sleeps (SIGSTOP) through a change; test/helpers/sleep-mesh.ts says how */
describe('presence after a watcher sleeps (SIGSTOP / SIGCONT)', function () {
  this.timeout(120_000)
  const session = cliSession()

  it('a watcher that slept sees the change it slept through, and is open again for others', async () => {
    const { a, b, c, nodeC, uriA, uriC, watch } = await sleepMesh(session)
    const sleptAt = Date.now()
    nodeC.child.kill('SIGSTOP')
    assert.equal((await pmesh(['status', 'set', 'away', '--note', 'lunch', '--home', a])).code, 0)
    await untilDropped(b, nodeC.info.peerId)
    console.log(`      the neighbour gave up on the sleeping watcher ${Date.now() - sleptAt} ms after SIGSTOP`)
    await new Promise(resolve => setTimeout(resolve, Math.max(0, sleptAt + MIN_PAUSE_MS - Date.now())))
    const wokeAt = Date.now()
    nodeC.child.kill('SIGCONT')
    const away = JSON.parse(await watch.waitForLine(l => JSON.parse(l).availability === 'away', RECOVERY_MS))
    console.log(`      the watcher saw the change ${Date.now() - wokeAt} ms after waking`)
    assert.equal(away.note, 'lunch')
    assert.equal(away.basic, 'open')
    // its neighbours may have published its will while it slept: the others must see it open again
    const deadline = Date.now() + RECOVERY_MS
    while (await fetchBasic(uriC, a) !== 'open' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(await fetchBasic(uriC, a), 'open', 'the presentity sees the watcher open again')
    assert.equal(await fetchBasic(uriA, c), 'open')
  })
})
