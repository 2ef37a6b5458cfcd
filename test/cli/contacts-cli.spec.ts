import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir, waitFor } from '../helpers/temp.js'

describe('pmesh contacts, invite and --join', function () {
  this.timeout(180_000)
  const running: RunningNode[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  async function home (): Promise<string> {
    const dir = await tempDir()
    dirs.push(dir)
    return dir.path
  }
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })
  async function run (args: string[], timeoutMs?: number): Promise<string> {
    const result = await pmesh(args, timeoutMs)
    assert.equal(result.code, 0, `pmesh ${args.join(' ')}: ${result.stderr}`)
    return result.stdout
  }
  const list = async (h: string): Promise<any[]> => JSON.parse(await run(['contacts', '--home', h, '--json']))

  /** Alice invites, Bob accepts: each ends up in the other's list */
  async function friends (extra: string[] = []): Promise<{ a: string, b: string, alice: RunningNode, bob: RunningNode }> {
    const [a, b] = await Promise.all([home(), home()])
    const [alice, bob] = await Promise.all([pmeshStart(a, extra), pmeshStart(b, extra)])
    running.push(alice, bob)
    const invite = (await run(['invite', '--name', 'Alice', '--home', a])).trim()
    assert.match(invite, /^pmesh:[1-9A-HJ-NP-Za-km-z]+$/)
    const added = await run(['contacts', 'add', invite, '--as', 'Bob', '--home', b])
    assert.match(added, /^added Alice \(pres:12D3Koo\w+\); you are in their contacts too/)
    await waitFor(async () => (await list(a)).some(c => c.name === 'Bob'), 10_000, 'Bob in Alice\'s list')
    return { a, b, alice, bob }
  }

  it('invite, add, list with presence and unread messages, rename, remove; names work wherever a URI does', async () => {
    const { a, b, alice } = await friends()
    await run(['status', 'set', 'busy', '--note', 'in a meeting', '--home', a])
    await waitFor(async () => (await list(b))[0]?.note === 'in a meeting', 10_000, 'the note in Bob\'s list')
    const [shown] = await list(b)
    assert.equal(shown.name, 'Alice')
    assert.equal(shown.availability, 'busy')
    assert.equal(shown.subscription, 'registered')
    assert.match(await run(['contacts', '--home', b]), /^Alice\s+busy {2}"in a meeting"\n$/)
    // the note and the contact card can be cleared, and the change reaches the list
    await run(['status', 'set', 'busy', '--email', 'alice@example.org', '--web', 'https://alice.example', '--home', a])
    const cleared = JSON.parse(await run(['status', 'set', 'available', '--clear-note', '--clear-contact', '--home', a, '--json']))
    assert.deepEqual([cleared.note, cleared.contact], [null, { emails: [], phones: [], postal: null, web: null }])
    await waitFor(async () => (await list(b))[0]?.note === null, 10_000, 'the note cleared in Bob\'s list')
    await run(['status', 'set', 'busy', '--note', 'in a meeting', '--home', a])

    // names in place of URIs
    assert.match(await run(['send', 'alice', 'hello', '--home', b]), /^delivered to alice in \d+ ms/)
    assert.equal(JSON.parse(await run(['fetch', 'Alice', '--home', b, '--json'])).note, 'in a meeting')
    assert.match(await run(['contacts', '--home', a]), /^Bob\s+available {2}1 unread\n$/)
    await run(['inbox', '--home', a])
    assert.equal((await list(a))[0].unread, 0, 'listing the inbox reads it')
    assert.match(await run(['inbox', 'allow', 'Bob', '--home', a]), /Bob may always write to you/)
    assert.ok(JSON.parse(await run(['inbox', 'policy', '--home', a, '--json'])).allow.length === 1)
    await run(['inbox', 'disallow', 'Bob', '--home', a])
    assert.deepEqual(JSON.parse(await run(['inbox', 'policy', '--home', a, '--json'])).allow, [])
    await run(['allow', 'Bob', '--view', 'availability', '--home', a])
    const unknownName = await pmesh(['send', 'nobody-by-that-name', 'hi', '--home', b])
    assert.equal(unknownName.code, 1)
    assert.match(unknownName.stderr, /neither an address .* nor the name of a contact/)

    // watching a contact follows the node's own subscription, and leaves it when done
    const watched = await run(['watch', 'Alice', '--duration', '2', '--home', b, '--json'])
    // (Alice granted Bob the availability view above: no note)
    assert.deepEqual(['availability', 'note'].map(k => JSON.parse(watched.split('\n')[0])[k]), ['busy', null])
    assert.equal(JSON.parse(await run(['subscriptions', '--home', b, '--json'])).length, 1)
    assert.match(await run(['contacts', 'rename', 'Alice', 'Al', '--home', b]), /renamed Alice to Al/)
    assert.equal((await list(b))[0].name, 'Al')
    const clash = await pmesh(['contacts', 'rename', 'Al', alice.info.peerId, '--home', b])
    assert.equal(clash.code, 1)
    assert.match(clash.stderr, /looks like an address/)
    assert.match(await run(['contacts', 'remove', 'al', '--home', b]), /removed Al/)
    assert.deepEqual(await list(b), [])
    assert.equal(JSON.parse(await run(['subscriptions', '--home', b, '--json'])).length, 0)
  })

  it('keeps contacts and their subscriptions across a restart, and shows when a crashed contact was lost', async () => {
    // a community relay: it holds the wills that tell of a crash
    const relay = await pmeshStart(await home(), ['--relay'])
    running.push(relay)
    const join = ['--join', (relay.info as any).invite]
    const { a, b, alice, bob } = await friends(join)
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

  it('a relay prints a community invitation; --join and "join" in config.json find it without a multiaddr', async () => {
    const [r, n, m] = await Promise.all([home(), home(), home()])
    const relay = await pmeshStart(r, ['--relay'])
    running.push(relay)
    const invite = (relay.info as any).invite as string
    assert.match(invite, /^pmesh:/)
    assert.match(await run(['invite', '--community', '--home', r]), /^pmesh:/)
    const joined = await pmeshStart(n, ['--join', invite])
    running.push(joined)
    await waitFor(async () => (await run(['peers', '--home', n])).includes(relay.info.peerId), 15_000, 'the relay among the peers')
    await writeFile(join(m, 'config.json'), JSON.stringify({ join: invite }))
    const fromConfig = await pmeshStart(m)
    running.push(fromConfig)
    await waitFor(async () => (await run(['peers', '--home', m])).includes(relay.info.peerId), 15_000, 'the relay among the peers')
    // a personal invitation is not for joining, and a damaged one says so
    const personal = (await run(['invite', '--home', n])).trim()
    const wrong = await pmesh(['start', '--home', await home(), '--join', personal])
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /personal invitation adds a contact/)
    const accepted = await pmesh(['contacts', 'add', invite, '--home', n])
    assert.equal(accepted.code, 1)
    assert.match(accepted.stderr, /community invitation/)
  })
})
