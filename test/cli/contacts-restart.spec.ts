import assert from 'node:assert/strict'
import { pmeshStart, stopProcess } from '../helpers/cli.js'
import { cliSession, contactList, friends } from '../helpers/cli-session.js'
import { waitFor } from '../helpers/temp.js'

describe('pmesh contacts across a restart and a crash', function () {
  this.timeout(180_000)
  const session = cliSession()
  const { home, run, running } = session
  const list = async (h: string): Promise<any[]> => contactList(session, h)

  it('keeps contacts and their subscriptions across a restart, and shows when a crashed contact was lost', async () => {
    // a community relay: it holds the wills that tell of a crash
    const relay = await pmeshStart(await home(), ['--relay'])
    running.push(relay)
    const join = ['--join', (relay.info as any).invite]
    const { a, b, alice, bob } = await friends(session, join)
    await waitFor(async () => (await list(b))[0]?.subscription === 'registered', 15_000, 'registered')
    await stopProcess(bob, 'SIGTERM')
    running.splice(running.indexOf(bob), 1)
    const again = await pmeshStart(b, join)
    running.push(again)
    assert.equal((await list(b))[0].name, 'Alice')
    // Bob's node finds Alice again by itself and registers with her
    await waitFor(async () => (await list(b))[0]?.subscription === 'registered', 20_000, 'the subscription restored')
    await run(['status', 'set', 'away', '--home', a])
    await waitFor(async () => (await list(b))[0]?.availability === 'away', 10_000, 'a change after the restart')

    // Alice crashes long after her last change: "last seen" is when she was lost, not that change
    // (a gap on purpose, not a wait: 3 s keeps the change well outside the 1 s the check allows)
    await new Promise(resolve => setTimeout(resolve, 3_000))
    const killedAt = Date.now()
    await stopProcess(alice, 'SIGKILL')
    const [lost] = await waitFor(async () => {
      const contacts = await list(b)
      return contacts[0]?.basic === 'closed' ? contacts : undefined
    }, 30_000, 'Alice seen lost')
    assert.equal(lost.availability, 'offline')
    assert.ok(Date.parse(lost.lastSeen) >= killedAt - 1_000, `last seen ${lost.lastSeen}, killed at ${new Date(killedAt).toISOString()}`)
    // fetch (and watch, and the API's presence view) say the same
    const fetched = JSON.parse(await run(['fetch', 'Alice', '--json', '--home', b]))
    assert.equal(fetched.basic, 'closed')
    assert.ok(Date.parse(fetched.lastSeen) >= killedAt - 1_000, `fetch: last seen ${fetched.lastSeen}, killed at ${new Date(killedAt).toISOString()}`)
  })
})
