/**
 * Files as a user sends and saves them with real `pmesh` commands: the
 * type is detected from the content and the name, a received file is saved
 * under the sender's name, never over an existing file, and never outside
 * the directory; `inbox --sent` says to whom and what became of each.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { apiNode } from '../helpers/api.js'
import { pmesh } from '../helpers/cli.js'
import { connect } from '../helpers/nodes.js'
import { tempDir } from '../helpers/temp.js'

describe('pmesh send --file and inbox save', function () {
  this.timeout(90_000)
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => { await Promise.all(cleanup.splice(0).map(async f => f())) })

  it('detects the type, saves under the sender\'s name, never overwrites, refuses a path out of the directory', async () => {
    const [alice, bob, files] = await Promise.all([apiNode(), apiNode(), tempDir()])
    cleanup.push(alice.close, bob.close, files.remove)
    await connect(alice.node, bob.node)
    await alice.node.libp2p.services.contacts.add({ target: bob.node.peerId, name: 'bob' })
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3])
    await writeFile(join(files.path, 'note.txt'), 'see you at 8\n')
    await writeFile(join(files.path, 'picture.dat'), png)
    for (const name of ['note.txt', 'picture.dat']) {
      const sent = await pmesh(['send', 'bob', '--file', join(files.path, name), '--home', alice.home])
      assert.equal(sent.code, 0, sent.stderr)
    }
    // far over the limit (and the API's request limit): the error names the message limit
    await writeFile(join(files.path, 'big.bin'), new Uint8Array(1_200_000))
    const big = await pmesh(['send', 'bob', '--file', join(files.path, 'big.bin'), '--home', alice.home])
    assert.equal(big.code, 1)
    assert.match(big.stderr, /too-large \(the body is 1200000 bytes\)[^]*at most 1 MiB of body/)
    // just over it: the node refuses it at once, naming the limit in bytes
    await writeFile(join(files.path, 'over.bin'), new Uint8Array(1024 * 1024 + 1))
    const over = await pmesh(['send', 'bob', '--file', join(files.path, 'over.bin'), '--home', alice.home])
    assert.equal(over.code, 1)
    assert.match(over.stderr, /too-large[^]*limit of 1048576[^]*at most 1 MiB of body/)
    // a sender's name that would leave the directory
    await alice.node.libp2p.services.im.send(bob.node.peerId, { body: 'x', contentType: 'application/octet-stream; name="../../evil"' })

    const { messages: inbox } = await bob.client.call('messages', {}) as { messages: Array<{ id: string, contentType: string }> }
    assert.deepEqual(inbox.map(m => m.contentType), ['text/plain; charset=utf-8; name="note.txt"', 'image/png; name="picture.dat"', 'application/octet-stream; name="../../evil"'])

    const out = await tempDir()
    cleanup.push(out.remove)
    const saved = await pmesh(['inbox', 'save', inbox[0].id, out.path, '--home', bob.home])
    assert.equal(saved.code, 0, saved.stderr)
    assert.equal(await readFile(join(out.path, 'note.txt'), 'utf8'), 'see you at 8\n')
    const again = await pmesh(['inbox', 'save', inbox[0].id, out.path, '--home', bob.home])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /exists; not overwritten/)
    assert.equal(await readFile(join(out.path, 'note.txt'), 'utf8'), 'see you at 8\n')
    const evil = await pmesh(['inbox', 'save', inbox[2].id, out.path, '--home', bob.home])
    assert.equal(evil.code, 1)
    assert.match(evil.stderr, /suggested file name "\.\.\/\.\.\/evil" is refused/)

    const sent = await pmesh(['inbox', '--sent', '--home', alice.home])
    assert.equal(sent.code, 0, sent.stderr)
    assert.equal(sent.stdout.match(/ {2}to bob \(im:\S+\) {2}\[delivered /g)?.length, 3, sent.stdout)
  })

  it('carries a 1 MiB photo that `inbox save` gives back byte for byte', async () => {
    const [alice, bob, files] = await Promise.all([apiNode(), apiNode(), tempDir()])
    cleanup.push(alice.close, bob.close, files.remove)
    await connect(alice.node, bob.node)
    await alice.node.libp2p.services.contacts.add({ target: bob.node.peerId, name: 'bob' })
    // a JPEG's first bytes, then noise: exactly the default limit
    const photo = new Uint8Array(randomBytes(1024 * 1024))
    photo.set([0xff, 0xd8, 0xff, 0xe0])
    await writeFile(join(files.path, 'photo.jpg'), photo)
    const sent = await pmesh(['send', 'bob', '--file', join(files.path, 'photo.jpg'), '--home', alice.home])
    assert.equal(sent.code, 0, sent.stderr)
    assert.match(sent.stdout, /delivered to bob/)

    const { messages: inbox } = await bob.client.call('messages', {}) as { messages: Array<{ id: string, contentType: string }> }
    assert.deepEqual(inbox.map(m => m.contentType), ['image/jpeg; name="photo.jpg"'])
    const out = await tempDir()
    cleanup.push(out.remove)
    const saved = await pmesh(['inbox', 'save', inbox[0].id, out.path, '--home', bob.home])
    assert.equal(saved.code, 0, saved.stderr)
    assert.ok(Buffer.from(photo).equals(await readFile(join(out.path, 'photo.jpg'))), 'the saved file differs from the one sent')
  })
})
