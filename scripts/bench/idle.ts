/**
 * `npm run bench -- idle`: what one node costs while nothing happens, with
 * 0, 100 and 500 contacts, beside a plain libp2p node holding the same
 * connections, measured side by side in the same window.
 *
 * Processes, all on 127.0.0.1: a bootstrap node, a community relay; online
 * contacts, real presence nodes, several per process (idle-contacts.ts);
 * and for each contact count a fresh measured node (idle-node.ts --mode
 * ours) and a fresh plain node (--mode plain), each alone in its process.
 * Offline contacts are identities whose nodes never run: the measured node
 * subscribes to them and waits for them, as it would for a friend who is away.
 *
 * Per contact count: ours subscribes to every contact, the online contacts
 * subscribe back (contacts watch each other), everything settles; then the
 * plain node dials every peer ours is connected to, a warm-up, and the
 * window: both processes are sampled every SAMPLE_S seconds.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startProc } from '../mesh/procs.js'
import { IpcProc } from './ipc.js'
import { withLoad, type Load } from './report.js'
import type { BenchContext } from './figures.js'
import type { ContactsCommand } from './idle-contacts.js'
import type { IdleCommand } from './idle-node.js'
import type { ProbeSnapshot } from './idle-probe.js'

const IDLE_NODE = fileURLToPath(new URL('./idle-node.js', import.meta.url))
const IDLE_CONTACTS = fileURLToPath(new URL('./idle-contacts.js', import.meta.url))
/** A subscription that outlasts the run */
const SUBSCRIPTION_S = 24 * 3600
const JOIN_S = 3
/** Each subscription starts with a DHT lookup (up to 5 s); hundreds of them on a loaded 2-core machine take minutes */
const SUBSCRIBE_TIMEOUT_MS = 10 * 60_000

export interface IdlePlan {
  contacts: number[]
  /** Online contacts are real nodes: at most this many (2 cores) */
  onlineCap: number
  contactsPerProcess: number
  /** After subscribing, before the plain node dials: DHT refreshes, identify, the hang-ups of contact connections */
  settleS: number
  /** After the plain node dialled, before the window */
  warmupS: number
  windowS: number
  sampleS: number
}

/** One side's window: a snapshot every sampleS seconds */
export interface Side {
  snapshots: ProbeSnapshot[]
}

export interface IdleRun {
  contacts: number
  online: number
  offline: number
  /** Subscriptions the measured node got `success` for, and contacts that subscribed back */
  subscribed: number
  watchedBack: number
  ours: Side
  plain: Side
  /** 1-minute load average when the window began and ended (the machine is shared) */
  load: Load
}

const sleep = async (s: number): Promise<void> => new Promise(resolve => setTimeout(resolve, s * 1000))

async function startContacts (ctx: BenchContext, count: number, perProcess: number, bootstrap: string): Promise<Array<{ proc: IpcProc, peerIds: string[] }>> {
  const groups: Array<{ proc: IpcProc, peerIds: string[] }> = []
  for (let left = count; left > 0; left -= perProcess) {
    const n = Math.min(perProcess, left)
    const proc = new IpcProc(await startProc(ctx.cleanup, IDLE_CONTACTS, ['--count', String(n), '--bootstrap', bootstrap], { ipc: true, timeoutMs: 180_000 }))
    groups.push({ proc, peerIds: proc.proc.info.peerIds })
    ctx.log(`  ${count - left + n}/${count} online contacts running`)
  }
  return groups
}

const reasons = (snapshot: ProbeSnapshot): string =>
  Object.entries(snapshot.closeReasons).map(([reason, count]) => `, ${count} ${reason}`).join('')

async function window (ctx: BenchContext, ours: IpcProc, plain: IpcProc, plan: IdlePlan): Promise<{ ours: Side, plain: Side }> {
  const result = { ours: { snapshots: [] as ProbeSnapshot[] }, plain: { snapshots: [] as ProbeSnapshot[] } }
  for (let t = 0; t <= plan.windowS; t += plan.sampleS) {
    if (t > 0) await sleep(plan.sampleS)
    const [a, b] = await Promise.all([ours.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }), plain.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' })])
    result.ours.snapshots.push(a)
    result.plain.snapshots.push(b)
    ctx.log(`  ${t} s: connections ours ${a.connections} (${a.opened} opened, ${a.closed} closed so far${reasons(a)}), plain ${b.connections} (${b.opened}, ${b.closed}${reasons(b)})`)
  }
  return result
}

export async function idleBench (ctx: BenchContext, plan: IdlePlan): Promise<IdleRun[]> {
  const root = await ctx.cleanup.tempDir('pmesh-idle-')
  // a community relay in a process of its own (see ONE_HOST_CONNECTIONS): every node's bootstrap
  // node and will holder, as a real mesh's bootstrap nodes are
  const seed = new IpcProc(await startProc(ctx.cleanup, IDLE_CONTACTS, ['--count', '1', '--relay'], { ipc: true }))
  const bootstrap = seed.proc.info.addresses[0]
  const onlineOf = (contacts: number): number => Math.min(Math.floor(contacts / 2), plan.onlineCap)
  const maxOnline = Math.max(0, ...plan.contacts.map(onlineOf))
  const maxOffline = Math.max(0, ...plan.contacts.map(c => c - onlineOf(c)))
  ctx.log(`starting ${maxOnline} online contacts, ${plan.contactsPerProcess} per process`)
  const groups = await startContacts(ctx, maxOnline, plan.contactsPerProcess, bootstrap)
  const onlineIds = groups.flatMap(g => g.peerIds)
  const offlineIds = await Promise.all(Array.from({ length: maxOffline }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))

  const runs: IdleRun[] = []
  for (const contacts of plan.contacts) {
    const online = onlineOf(contacts)
    const offline = contacts - online
    ctx.log(`\n${contacts} contacts: ${online} online (real nodes), ${offline} offline (identities never started)`)
    const ours = new IpcProc(await startProc(ctx.cleanup, IDLE_NODE, ['--mode', 'ours', '--home', join(root, `ours-${contacts}`), '--bootstrap', bootstrap], { ipc: true }))
    const plain = new IpcProc(await startProc(ctx.cleanup, IDLE_NODE, ['--mode', 'plain', '--home', join(root, `plain-${contacts}`), '--bootstrap', bootstrap], { ipc: true }))
    const oursId: string = ours.proc.info.peerId
    try {
      await Promise.all([ours, plain].map(async node => node.call<number, IdleCommand>({ op: 'connect', addr: bootstrap })))
      // identify confirms the bootstrap node speaks the DHT: the lookups behind subscribing need that
      await sleep(JOIN_S)
      const subscribed = await ours.call<number, IdleCommand>({ op: 'subscribe', targets: [...onlineIds.slice(0, online), ...offlineIds.slice(0, offline)], duration: SUBSCRIPTION_S }, SUBSCRIBE_TIMEOUT_MS)
      let watchedBack = 0
      let left = online
      for (const group of groups) {
        const count = Math.min(left, group.peerIds.length)
        left -= count
        if (count > 0) watchedBack += await group.proc.call<number, ContactsCommand>({ op: 'watch', target: oursId, count, duration: SUBSCRIPTION_S }, SUBSCRIBE_TIMEOUT_MS)
      }
      ctx.log(`  ours subscribed to ${subscribed}/${contacts}; ${watchedBack}/${online} watch it back; settling ${plan.settleS} s`)
      await sleep(plan.settleS)
      const peers = await ours.call<string[][], IdleCommand>({ op: 'peers' })
      const others = peers.filter(addrs => addrs.length > 0 && !addrs[0].endsWith(plain.proc.info.peerId))
      const dialled = await plain.call<number, IdleCommand>({ op: 'dial', peers: others })
      ctx.log(`  plain node dialled ${dialled}/${others.length} of ours' peers; warm-up ${plan.warmupS} s, then a ${plan.windowS} s window`)
      await sleep(plan.warmupS)
      const { result: sides, load } = await withLoad(async () => window(ctx, ours, plain, plan))
      runs.push({ contacts, online, offline, subscribed, watchedBack, ...sides, load })
    } finally {
      await Promise.all([ours.stop(), plain.stop()])
      await Promise.all(groups.map(async g => g.proc.call<number, ContactsCommand>({ op: 'unwatch', target: oursId }).catch(() => 0)))
    }
  }
  return runs
}
