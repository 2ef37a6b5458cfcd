import assert from 'node:assert/strict'
import { pmesh } from '../helpers/cli.js'
import { cliSession, contactList, friends } from '../helpers/cli-session.js'
import { waitFor } from '../helpers/temp.js'

describe('pmesh contacts: invite, add, list, rename, remove', function () {
  this.timeout(180_000)
  const session = cliSession()
  const { run } = session
  const list = async (h: string): Promise<any[]> => contactList(session, h)

  it('invite, add, list with presence and unread messages, rename, remove; names work wherever a URI does', async () => {
    const { a, b, alice } = await friends(session)
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
})
