import assert from 'node:assert/strict'
import { pmesh, pmeshStream, stopProcess } from '../helpers/cli.js'
import { cliSession, presenceLine } from '../helpers/cli-session.js'

describe('pmesh watch as a presentity stops', function () {
  this.timeout(90_000)
  const session = cliSession()
  const { streams } = session

  it('watch prints one JSON line per notify, and a SIGKILLed presentity shows closed within seconds', async () => {
    const { a, c, nodeA, uriA } = await presenceLine(session)
    const watch = pmeshStream(['watch', uriA, '--home', c, '--json', '--duration', '60'])
    streams.push(watch)
    await watch.waitForLine(l => JSON.parse(l).basic === 'open')
    assert.equal((await pmesh(['status', 'set', 'away', '--note', 'lunch', '--home', a])).code, 0)
    const away = JSON.parse(await watch.waitForLine(l => JSON.parse(l).availability === 'away'))
    assert.equal(away.target, uriA)
    assert.equal(away.note, 'lunch')

    const killedAt = Date.now()
    await stopProcess(nodeA, 'SIGKILL')
    const closed = JSON.parse(await watch.waitForLine(l => JSON.parse(l).basic === 'closed', 20_000))
    const detection = Date.now() - killedAt
    console.log(`      SIGKILL seen as closed after ${detection} ms`)
    assert.ok(detection < 10_000, `closed after ${detection} ms`)
    assert.equal(closed.note, 'lunch', 'the will keeps the last note')
    assert.ok(closed.lastSeen != null)
    // still closed for a fetch from the DHT
    const fetched = JSON.parse((await pmesh(['fetch', uriA, '--home', c, '--json'])).stdout)
    assert.equal(fetched.basic, 'closed')
  })

  it('fetches a stopped presentity from the DHT and lists subscriptions and watchers', async () => {
    const { a, c, nodeA, uriA } = await presenceLine(session)
    assert.equal((await pmesh(['status', 'set', 'dnd', '--note', 'focus', '--home', a])).code, 0)
    const watch = pmeshStream(['watch', uriA, '--home', c, '--json', '--duration', '60'])
    streams.push(watch)
    await watch.waitForLine(l => JSON.parse(l).availability === 'do-not-disturb')
    const subs = JSON.parse((await pmesh(['subscriptions', '--home', c, '--json'])).stdout)
    assert.equal(subs.length, 1)
    assert.equal(subs[0].target, uriA)
    const watchers = JSON.parse((await pmesh(['watchers', '--home', a, '--json'])).stdout)
    assert.equal(watchers.length, 1)

    assert.equal(await stopProcess(nodeA, 'SIGTERM'), 0)
    await watch.waitForLine(l => JSON.parse(l).basic === 'closed', 10_000)
    const offline = JSON.parse((await pmesh(['fetch', uriA, '--home', c, '--json'])).stdout)
    assert.equal(offline.basic, 'closed')
    assert.equal(offline.note, 'focus')
  })
})
