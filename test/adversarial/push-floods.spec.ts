/**
 * Push floods: a stranger's plain libp2p node opens push streams to a
 * watcher as fast as the watcher lets it, for a few seconds. The watcher W
 * must stay responsive, a genuine change of the presentity P must still
 * reach it promptly, and a flooder of junk must be cut off after a few
 * rejects (its later streams are refused before anything is read).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { connect, nodesPerTest } from '../helpers/nodes.js'
import { waitFor } from '../helpers/temp.js'
import { attackerNode, pushRecord, signRecord, type Attacker } from './integrity-helpers.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'
import type { NotifyEvent } from '../../src/presence/index.js'
import type { PrivateKey } from '@libp2p/interface'

const FLOOD_MS = 3_000
/**
 * Fewer pushes than this test nothing. On a busy machine the flooder (in the test's own process) is
 * slowed too, so the flood goes on past FLOOD_MS until it has sent this many, up to FLOOD_LIMIT_MS
 */
const FLOOD_LEAST = 200
const FLOOD_LIMIT_MS = 15_000
/** Streams the flooder keeps open at once: what W allows on one connection (PUSH_STREAMS_PER_CONNECTION) */
const IN_FLIGHT = 8
/**
 * A genuine change must reach the watcher within this, flood or not. Generous: the flooder runs in
 * the test's own process, so its signing and sending take the target's event loop too, and the
 * machine is shared with other test runs
 */
const PROMPT_MS = 5_000

interface Scene { p: PresenceMeshNode, pKey: PrivateKey, w: PresenceMeshNode, a: Attacker, seen: NotifyEvent[] }

/**
 * Push `next()` to W from `IN_FLIGHT` streams at a time, for `ms` and until FLOOD_LEAST were
 * written (FLOOD_LIMIT_MS at most); how many pushes were written, in how long
 */
async function flood (s: Scene, ms: number, next: (i: number) => Promise<Uint8Array>): Promise<{ sent: number, ms: number }> {
  const started = Date.now()
  const target = s.w.libp2p.getMultiaddrs()[0]
  let sent = 0
  const going = (): boolean => Date.now() - started < ms || (sent < FLOOD_LEAST && Date.now() - started < FLOOD_LIMIT_MS)
  const worker = async (): Promise<void> => {
    while (going()) {
      const bytes = await next(sent)
      sent++
      await pushRecord(s.a, target, bytes)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  return { sent, ms: Date.now() - started }
}

describe('adversarial: push floods', function () {
  this.timeout(45_000)
  const nodes = nodesPerTest()
  let a: Attacker | undefined
  afterEach(async () => { await a?.stop() })

  async function scene (): Promise<Scene> {
    const pKey = await generateKeyPair('Ed25519')
    const quiet = { presence: { publishOnStart: false } }
    const [p, w] = await Promise.all([nodes.start({ privateKey: pKey, ...quiet }), nodes.start(quiet)])
    a = await attackerNode()
    await connect(w, p)
    await p.libp2p.services.presence.publish({ basic: 'open', availability: 'available', note: { text: 'before' } })
    const seen: NotifyEvent[] = []
    w.libp2p.services.presence.addEventListener('notify', event => { seen.push(event.detail) })
    assert.equal((await w.libp2p.services.presence.subscribe(p.peerId, { duration: 120 })).status, 'success')
    await waitFor(() => seen.length > 0, 5_000, 'the first notify')
    await a.dial(w.libp2p.getMultiaddrs()[0])
    return { p, pKey, w, a, seen }
  }

  /** While the flood runs: P changes, and W must show it promptly and answer a ping */
  async function changeDuringFlood (s: Scene): Promise<{ notifyMs: number, pingMs: number }> {
    await new Promise(resolve => setTimeout(resolve, FLOOD_MS / 3))
    const started = Date.now()
    const record = await s.p.libp2p.services.presence.publish({ availability: 'busy', note: { text: 'during the flood' } })
    await waitFor(() => s.seen.some(e => e.record?.seq === record.seq), PROMPT_MS, 'the genuine change at W during the flood')
    const notifyMs = Date.now() - started
    const pingMs = await s.p.libp2p.services.ping.ping(s.w.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(PROMPT_MS) })
    return { notifyMs, pingMs }
  }

  it('a flood of junk and forged records: W stays responsive, P\'s change arrives, the flooder is cut off', async () => {
    const s = await scene()
    const before = s.w.libp2p.services.presence.verdicts
    const forger = await generateKeyPair('Ed25519')
    const [{ sent, ms }, timing] = await Promise.all([
      flood(s, FLOOD_MS, async i => i % 2 === 0
        ? randomBytes(300)
        : signRecord(forger, { presentity: s.p.peerId, seq: BigInt(1_000_000 + i), note: 'forged' })),
      changeDuringFlood(s)
    ])
    const after = s.w.libp2p.services.presence.verdicts
    const validated = after.reject - before.reject
    console.log(`      flooded ${sent} pushes in ${ms} ms; W validated ${validated} (rejected all), notify ${timing.notifyMs} ms, ping ${timing.pingMs} ms`)
    assert.ok(sent >= FLOOD_LEAST, `the flood was too weak to test anything: ${sent} pushes`)
    assert.ok(validated > 0, 'W never saw the flood')
    assert.equal(after.accept - before.accept, 1, 'W accepted something besides P\'s change')
    // cut off after 8 rejects: what was in flight then is still judged, nothing after
    assert.ok(validated <= 8 + IN_FLIGHT, `W validated ${validated} of ${sent}: the flooder was not cut off`)
    assert.equal(await pushRecord(s.a, s.w.libp2p.getMultiaddrs()[0], randomBytes(300)), 'aborted')
    assert.equal(s.w.libp2p.services.presence.verdicts.reject, after.reject, 'a push of the banned flooder was read')
    assert.equal(s.seen.at(-1)?.record?.note?.text, 'during the flood')
  })

  it('a flood of replayed genuine records (ignored, not punished): W stays responsive and P\'s change arrives', async () => {
    const s = await scene()
    const old = await signRecord(s.pKey, { presentity: s.p.peerId, seq: 1n, note: 'old' })
    const before = s.w.libp2p.services.presence.verdicts
    const [{ sent, ms }, timing] = await Promise.all([flood(s, FLOOD_MS, async () => old), changeDuringFlood(s)])
    const after = s.w.libp2p.services.presence.verdicts
    console.log(`      flooded ${sent} replays in ${ms} ms; W ignored ${after.ignore - before.ignore}, notify ${timing.notifyMs} ms, ping ${timing.pingMs} ms`)
    assert.ok(sent >= FLOOD_LEAST, `the flood was too weak to test anything: ${sent} pushes`)
    assert.ok(after.ignore > before.ignore)
    assert.equal(after.reject, before.reject)
    assert.equal(after.accept - before.accept, 1)
    assert.ok(s.seen.every(e => e.record?.note?.text !== 'old'), 'a replay was shown')
    assert.equal(s.seen.at(-1)?.record?.note?.text, 'during the flood')
    // ignored, not punished: the sender of late genuine records is still heard
    assert.equal(await pushRecord(s.a, s.w.libp2p.getMultiaddrs()[0], old), 'closed')
  })

  it('a flood of strangers\' own genuine records: dropped unopened, never shown', async () => {
    const s = await scene()
    const strangers = await Promise.all(Array.from({ length: 20 }, async () => generateKeyPair('Ed25519')))
    const records = await Promise.all(strangers.map(async (key, i) => signRecord(key, { presentity: peerIdFromPrivateKey(key), seq: BigInt(i + 1), note: 'a stranger' })))
    const before = s.w.libp2p.services.presence.verdicts
    const notifies = s.seen.length
    const [{ sent, ms }, timing] = await Promise.all([flood(s, FLOOD_MS, async i => records[i % records.length]), changeDuringFlood(s)])
    const after = s.w.libp2p.services.presence.verdicts
    console.log(`      flooded ${sent} strangers' records in ${ms} ms; W ignored ${after.ignore - before.ignore}, notify ${timing.notifyMs} ms`)
    assert.ok(sent >= FLOOD_LEAST, `the flood was too weak to test anything: ${sent} pushes`)
    assert.equal(after.reject, before.reject)
    assert.equal(after.accept - before.accept, 1)
    assert.deepEqual(s.seen.slice(notifies).map(e => e.record?.note?.text), ['during the flood'])
  })
})
