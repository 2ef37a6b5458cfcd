import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { xml } from '@xmpp/client'
import { pmesh, pmeshStream, type StreamingCommand } from '../helpers/cli.js'
import { ensureProsody, startProsody, xmppUser, type Prosody, type XmppUser } from '../helpers/prosody.js'
import { tempDir } from '../helpers/temp.js'
import { startNode } from '../helpers/nodes.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

const SERVED = 'pres:12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBhVAWYKLy1VJDk'

describe('pmesh gateway xmpp', function () {
  this.timeout(120_000)
  let prosody: Prosody | undefined
  let gateway: StreamingCommand | undefined
  let alice: XmppUser | undefined
  let m: PresenceMeshNode | undefined
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    gateway?.child.kill('SIGKILL')
    await alice?.stop()
    await prosody?.stop()
    await m?.stop()
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('refuses bad arguments with a usage error', async () => {
    for (const [args, message] of [
      [['gateway', 'irc'], /unknown gateway "irc"/],
      [['gateway', 'xmpp', '--service', 'http://x', '--domain', 'd', '--serve', SERVED], /--service must be xmpp:\/\/HOST:PORT/],
      [['gateway', 'xmpp', '--service', 'xmpp://127.0.0.1:5347', '--domain', 'd', '--serve', SERVED], /--secret-file FILE or PMESH_XMPP_SECRET/],
      [['gateway', 'xmpp', '--service', 'xmpp://127.0.0.1:5347', '--domain', 'd'], /--secret-file|--serve/]
    ] as const) {
      const result = await pmesh([...args])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, message)
    }
  })

  it('runs as a Prosody component, answers for the users it serves through XMPP users\' own nodes, and stops on SIGTERM', async function () {
    const missing = await ensureProsody()
    if (missing != null) {
      console.log(`      skipped: ${missing}`)
      this.skip()
    }
    prosody = await startProsody(['alice'])
    const dir = await tempDir()
    dirs.push(dir)
    await writeFile(`${dir.path}/secret`, `${prosody.secret}\n`)
    // M, a mesh user with a public presence, is the gateway's bootstrap peer
    m = await startNode()
    await m.libp2p.services.presence.publish({ basic: 'open', availability: 'busy' })
    gateway = pmeshStream(['gateway', 'xmpp', '--home', `${dir.path}/home`, '--service', prosody.componentService, '--domain', prosody.componentDomain, '--secret-file', `${dir.path}/secret`, '--serve', m.presUri, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', m.libp2p.getMultiaddrs()[0].toString(), '--json'])
    const info = JSON.parse(await gateway.waitForLine(line => line.startsWith('{'), 60_000))
    const jid = `${m.peerId.toString().toLowerCase()}@${prosody.componentDomain}`
    assert.deepEqual(info.jids, [jid])
    // the component is connected: the server routes to it, and it answers disco#info with XEP-0184
    alice = await xmppUser(prosody, 'alice')
    await alice.send(xml('iq', { to: jid, type: 'get', id: 'disco-1' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })))
    const disco = await alice.next(s => s.is('iq') && s.attrs.id === 'disco-1', 30_000, 'the disco#info answer')
    assert.equal(disco.attrs.type, 'result')
    assert.ok(disco.getChild('query')?.children.some(c => typeof c !== 'string' && c.attrs.var === 'urn:xmpp:receipts'))
    // alice's subscribe: the gateway makes her a node of her own, which watches M
    await alice.send(xml('presence', { to: jid, type: 'subscribe' }))
    const busy = await alice.next(s => s.is('presence') && (s.attrs.from ?? '').startsWith(jid) && s.getChildText('show') === 'dnd', 60_000, 'M busy at alice')
    assert.equal(busy.attrs.type, undefined)
    assert.ok(m.libp2p.services.presence.watchers().some(w => w.peerId.toString() !== info.peerId), 'watched by alice\'s node, not the gateway node')
    gateway.child.kill('SIGTERM')
    assert.equal(await gateway.exited, 0)
  })
})
