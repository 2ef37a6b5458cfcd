/**
 * The inbox limits and the policy's partial updates as a user meets them,
 * on real `pmesh` processes: config.json's `inbox` section limits a
 * stranger, `pmesh send` names the reason and exits 1, and `pmesh inbox
 * policy --silent` leaves the mode alone.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

describe('pmesh inbox limits and policy', function () {
  this.timeout(90_000)
  const running: RunningNode[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('tells a stranger over the rate why its message was not delivered, and --silent keeps the mode', async () => {
    const [bob, alice] = await Promise.all([tempDir(), tempDir()])
    dirs.push(bob, alice)
    await writeFile(join(bob.path, 'config.json'), JSON.stringify({ inbox: { strangerBurst: 1, strangerRefillSeconds: 3600 } }))
    const [nodeB, nodeA] = await Promise.all([pmeshStart(bob.path), pmeshStart(alice.path)])
    running.push(nodeB, nodeA)
    assert.equal((await pmesh(['connect', nodeB.info.addresses[0], '--home', alice.path])).code, 0)
    const to = `im:${nodeB.info.peerId}`

    const first = await pmesh(['send', to, 'hello', '--home', alice.path])
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /^delivered to im:/)
    const second = await pmesh(['send', to, 'hello again', '--home', alice.path])
    assert.equal(second.code, 1)
    assert.match(second.stderr, /not delivered to im:\S+: rate-limited \(Too many messages from you; the recipient takes the next one in \d+ s\)/)
    assert.match(second.stderr, /wait before sending again/)
    const json = await pmesh(['send', to, 'and again', '--json', '--home', alice.path])
    assert.deepEqual([JSON.parse(json.stdout).status, JSON.parse(json.stdout).reason], ['failed', 'rate-limited'])

    assert.equal((await pmesh(['inbox', 'policy', 'contacts', '--no-silent', '--home', bob.path])).code, 0)
    const silent = await pmesh(['inbox', 'policy', '--silent', '--home', bob.path])
    assert.equal(silent.code, 0, silent.stderr)
    assert.match(silent.stdout, /accept messages from: contacts\n/)
    assert.match(silent.stdout, /blocked senders: not told/)
    const inbox = await pmesh(['inbox', '--json', '--home', bob.path])
    const [held] = inbox.stdout.trim().split('\n').map(line => JSON.parse(line))
    assert.equal(held.text, 'hello')

    // the user deletes a message by id (and sender): what frees a stranger's share
    await pmesh(['inbox', 'policy', 'everyone', '--home', bob.path])
    const deleted = await pmesh(['inbox', 'delete', held.id, '--from', `im:${nodeA.info.peerId}`, '--home', bob.path])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.match(deleted.stdout, /^deleted /)
    const again = await pmesh(['inbox', 'delete', held.id, '--home', bob.path])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /No message with id/)
    assert.equal((await pmesh(['inbox', '--json', '--home', bob.path])).stdout.trim(), '')
  })
})
