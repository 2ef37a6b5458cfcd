import assert from 'node:assert/strict'
import { cliSession } from '../helpers/cli-session.js'
import { fetchBasic, RECOVERY_MS, sleepMesh } from '../helpers/sleep-mesh.js'

/** A presentity that sleeps (SIGSTOP) long enough to be declared closed; test/helpers/sleep-mesh.ts says how */
describe('presence after a presentity sleeps (SIGSTOP / SIGCONT)', function () {
  this.timeout(120_000)
  const session = cliSession()

  it('a presentity declared closed while it slept is seen open again soon after it wakes', async () => {
    const { c, nodeA, uriA, watch } = await sleepMesh(session)
    // only what is printed from here on counts (a loaded machine may have flapped it already)
    const after = (from: number, basic: string): ((l: string) => boolean) => (l: string) => watch.lines.indexOf(l) >= from && JSON.parse(l).basic === basic
    const stoppedAt = Date.now()
    const stopLines = watch.lines.length
    nodeA.child.kill('SIGSTOP')
    // its neighbours stop hearing from it, give up on the connection and publish its will
    await watch.waitForLine(after(stopLines, 'closed'), 45_000)
    console.log(`      the sleeping presentity was seen closed ${Date.now() - stoppedAt} ms after SIGSTOP`)
    const closedLines = watch.lines.length
    const wokeAt = Date.now()
    nodeA.child.kill('SIGCONT')
    await watch.waitForLine(after(closedLines, 'open'), RECOVERY_MS)
    console.log(`      seen open again ${Date.now() - wokeAt} ms after waking`)
    // and the DHT, where a watcher who subscribes later looks, says so too
    const deadline = Date.now() + RECOVERY_MS
    while (await fetchBasic(uriA, c) !== 'open' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(await fetchBasic(uriA, c), 'open')
  })
})
