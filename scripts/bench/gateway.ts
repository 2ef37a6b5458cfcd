/**
 * `npm run bench -- gateway`: presence latency through the XMPP gateway beside the same path
 * between two XMPP users, all through one Debian Prosody on 127.0.0.1 (test/helpers/prosody.ts).
 *
 * - XMPP → XMPP: alice changes her <status/>; until bob's client has it (the baseline).
 * - XMPP → mesh: alice changes her <status/>; until M's node has the notify from alice's identity.
 * - mesh → XMPP: M publishes a note; until alice's client has M's <presence/>.
 *
 * Medians and p99s of `ROUNDS` changes each, the 1-minute load average around each; then the
 * memory one more XMPP user's identity node costs (`IDENTITIES` of them started, after GC).
 * Printed and written to the "XMPP gateway" section of docs/BENCHMARKS.md.
 */
import { loadavg } from 'node:os'
import { xml } from '@xmpp/client'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { XmppGateway } from '../../src/gateway/xmpp.js'
import { connect, LOOPBACK, startNode } from '../../test/helpers/nodes.js'
import { ensureProsody, startProsody, xmppUser } from '../../test/helpers/prosody.js'
import { writeSection } from './report.js'

const ROUNDS = 30
const IDENTITIES = 20
const MIB = 1024 * 1024
const SECTION = '## XMPP gateway'

interface Series { name: string, samples: number[], load: [number, number] }

function quantile (samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

async function series (name: string, change: (i: number) => Promise<void>, arrived: (i: number) => boolean): Promise<Series> {
  const samples: number[] = []
  const start = loadavg()[0]
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now()
    await change(i)
    while (!arrived(i)) {
      if (performance.now() - t0 > 20_000) throw new Error(`${name}: change ${i} did not arrive within 20 s`)
      await new Promise(resolve => setTimeout(resolve, 1))
    }
    samples.push(performance.now() - t0)
    // changes a little apart, as a person makes them
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { name, samples, load: [start, loadavg()[0]] }
}

/**
 * JS heap, and heap with buffers outside it (sockets, crypto), that each of `IDENTITIES` more identity
 * nodes adds, after GC. Not RSS: at this size the process's RSS moves more with what the allocator
 * hands back than with the nodes (one run measured a negative RSS per node).
 */
async function identityMemory (start: (i: number) => Promise<unknown>): Promise<{ heap: number, withBuffers: number }> {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const measure = async (): Promise<{ heap: number, withBuffers: number }> => {
    await new Promise(resolve => setTimeout(resolve, 2_000))
    gc()
    const { heapUsed, external } = process.memoryUsage()
    return { heap: heapUsed, withBuffers: heapUsed + external }
  }
  const before = await measure()
  for (let i = 0; i < IDENTITIES; i++) await start(i)
  const after = await measure()
  return { heap: (after.heap - before.heap) / IDENTITIES, withBuffers: (after.withBuffers - before.withBuffers) / IDENTITIES }
}

export async function gatewayMain (benchmarksMd: string): Promise<number> {
  const missing = await ensureProsody()
  if (missing != null) {
    process.stderr.write(`gateway bench: ${missing}\n`)
    return 1
  }
  const prosody = await startProsody(['alice', 'bob'])
  const [m, g] = await Promise.all([startNode(), startNode()])
  const gateway = new XmppGateway({ peerId: g.peerId, im: g.libp2p.services.im, datastore: g.datastore, logger: g.libp2p.logger }, {
    service: prosody.componentService,
    domain: prosody.componentDomain,
    secret: prosody.secret,
    serve: [m.peerId],
    maxActive: IDENTITIES + 2,
    identities: async (privateKey, datastore) => {
      const node = await startNode({ privateKey, datastore, listen: LOOPBACK, dhtServer: false, presence: { defaultPolicy: 'ask', publishOnStart: false } })
      await connect(node, m)
      return node
    }
  })
  const [alice, bob] = [await xmppUser(prosody, 'alice'), await xmppUser(prosody, 'bob')]
  try {
    await connect(g, m)
    await m.libp2p.services.presence.publish({ basic: 'open', availability: 'available' })
    await gateway.start()
    const mJid = gateway.jidOf(m.peerId)
    // bob watches alice, alice and M watch each other
    await bob.send(xml('presence', { to: alice.jid, type: 'subscribe' }))
    await alice.next(s => s.is('presence') && s.attrs.type === 'subscribe' && (s.attrs.from ?? '').startsWith(bob.jid))
    await alice.send(xml('presence', { to: bob.jid, type: 'subscribed' }))
    await alice.send(xml('presence', { to: mJid, type: 'subscribe' }))
    await alice.next(s => s.is('presence') && s.attrs.type === 'subscribed' && (s.attrs.from ?? '').startsWith(mJid))
    const a = await gateway.identityOf(alice.jid)
    await m.libp2p.services.presence.subscribe(a, { duration: 3600 })
    await alice.next(s => s.is('presence') && s.attrs.type === 'subscribe' && (s.attrs.from ?? '').startsWith(mJid))
    await alice.send(xml('presence', { to: mJid, type: 'subscribed' }))

    const mNotes = new Set<string>()
    m.libp2p.services.presence.addEventListener('notify', event => {
      if (event.detail.target.equals(a) && event.detail.record?.note != null) mNotes.add(event.detail.record.note.text)
    })
    const status = (stanzas: typeof bob.received, from: string, text: string): boolean => stanzas.some(s => s.is('presence') && (s.attrs.from ?? '').startsWith(from) && s.getChildText('status') === text)
    const results = [
      await series('XMPP → XMPP (alice → bob, the baseline)', async i => alice.send(xml('presence', {}, xml('status', {}, `x${i}`))), i => status(bob.received, alice.jid, `x${i}`)),
      await series('XMPP → mesh (alice → M through the gateway)', async i => alice.send(xml('presence', {}, xml('status', {}, `m${i}`))), i => mNotes.has(`m${i}`)),
      await series('mesh → XMPP (M → alice through the gateway)', async i => { await m.libp2p.services.presence.publish({ note: { text: `n${i}` } }) }, i => status(alice.received, mJid, `n${i}`))
    ]
    const perIdentity = await identityMemory(async i => gateway.identityOf(`user${i}@${prosody.domain}`))
    const base = quantile(results[0].samples, 0.5)
    const rows = results.map(r => `| ${r.name} | ${quantile(r.samples, 0.5).toFixed(1)} | ${quantile(r.samples, 0.99).toFixed(1)} | ${(quantile(r.samples, 0.5) / base).toFixed(1)} | ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} |`)
    const section = [
      SECTION,
      '',
      `\`npm run bench -- gateway\`, ${new Date().toISOString().slice(0, 10)}: ${ROUNDS} presence changes each way through one Debian Prosody`,
      '(c2s and component ports on 127.0.0.1, no TLS), real clients from @xmpp/client, the gateway and the mesh user as two',
      'presence-mesh nodes in the bench process. Time from the change to its arrival at the other side; the ratio is to the',
      'XMPP → XMPP median. The machine is shared (2 cores): read medians and ratios. Each XMPP user is a mesh node of its',
      'own in the gateway (docs/GATEWAY.md); the mesh side of "XMPP → mesh" is the notify M gets from alice\'s node.',
      '',
      '| path | median ms | p99 ms | × XMPP→XMPP | load (1 min) |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `Memory of one XMPP user's node (${IDENTITIES} started in the gateway process, idle, after GC): ` +
        `${(perIdentity.heap / MIB).toFixed(2)} MiB of JS heap, ${(perIdentity.withBuffers / MIB).toFixed(2)} MiB with the buffers outside it, each.`,
      ''
    ].join('\n')
    process.stdout.write(`${section}\n`)
    // a marked section: `npm run bench` rewrites the rest of the file and keeps it
    await writeSection(benchmarksMd, 'gateway', section)
    return 0
  } finally {
    await Promise.allSettled([alice.stop(), bob.stop()])
    await gateway.stop().catch(() => {})
    await Promise.allSettled([m.stop(), g.stop()])
    await prosody.stop()
  }
}
