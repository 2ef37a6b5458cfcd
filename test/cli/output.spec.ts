/**
 * What `pmesh` prints reaches a slow reader whole. Piped output is written
 * asynchronously on POSIX: a command that exits as soon as it is done loses
 * whatever the pipe had not taken yet (`pmesh inbox --json | jq` stopped at
 * 64 KiB, the pipe's buffer).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PMESH, pmeshStart, stopProcess, type RunningNode } from '../helpers/cli.js'
import { startNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/temp.js'
import { sealMessage } from '../../src/messaging/message.js'
import { MessageStore } from '../../src/messaging/store.js'

const MESSAGES = 300
const TEXT = 'x'.repeat(4000)

describe('pmesh output', function () {
  this.timeout(120_000)
  let node: RunningNode | undefined
  afterEach(async () => { await stopProcess(node, 'SIGKILL') })

  it('reaches a slow reader whole: 1.2 MB of inbox piped into a reader that pauses after each chunk', async () => {
    const home = await tempDir()
    try {
      // an inbox of 300 messages of 4 KB, written into the home's datastore while no node runs
      const recipient = await startNode({ home: home.path, presence: { publishOnStart: false } })
      const senderKey = await generateKeyPair('Ed25519')
      const store = new MessageStore(recipient.datastore, 64 * 1024)
      for (let i = 0; i < MESSAGES; i++) {
        const message = { from: peerIdFromPrivateKey(senderKey), to: recipient.peerId, id: `m${i}`, date: Date.now(), contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode(TEXT), headers: [] }
        await store.receive({ message, envelope: await sealMessage(senderKey, message), receivedAt: Date.now() + i }, false)
      }
      await recipient.stop()
      node = await pmeshStart(home.path)

      const child = spawn(process.execPath, [PMESH, 'inbox', '--json', '--home', home.path], { stdio: ['ignore', 'pipe', 'pipe'] })
      let text = ''
      let stderr = ''
      child.stderr.on('data', chunk => { stderr += chunk })
      const exited = new Promise<number | null>(resolve => child.once('close', resolve))
      // the slow reader: each chunk, then a pause before the next
      for await (const chunk of child.stdout) {
        text += chunk
        await new Promise(resolve => setTimeout(resolve, 5))
      }
      assert.equal(await exited, 0, stderr)
      const lines = text.trim().split('\n')
      assert.equal(lines.length, MESSAGES, `${lines.length} of ${MESSAGES} lines (${text.length} bytes) arrived`)
      assert.deepEqual(lines.map(line => JSON.parse(line).id), Array.from({ length: MESSAGES }, (_, i) => `m${i}`))

      // a reader that leaves after the first chunk (`| head -1`): the command stops quietly
      const early = spawn(process.execPath, [PMESH, 'inbox', '--json', '--home', home.path], { stdio: ['ignore', 'pipe', 'pipe'] })
      let earlyErr = ''
      early.stderr.on('data', chunk => { earlyErr += chunk })
      early.stdout.once('data', () => early.stdout.destroy())
      assert.equal(await new Promise(resolve => early.once('close', resolve)), 0)
      assert.equal(earlyErr, '')
    } finally {
      await stopProcess(node)
      node = undefined
      await home.remove()
    }
  })
})
