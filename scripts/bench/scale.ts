/**
 * `npm run bench -- scale [--max N] [--contacts C] [--interval S] [--window S]`:
 * what one desktop node and one relay cost as the network around them grows,
 * 10 to 1,000 nodes, every user with C contacts changing its availability
 * every S seconds on average. Results go to the "scale" section of
 * docs/BENCHMARKS.md (scale-report.ts); the other sections are kept.
 *
 * Each step runs three processes, so that the two measured nodes' CPU and
 * sockets are their own (idle-probe.ts counts them):
 * - the measured relay (idle-node.ts --relay): relay 0, a DHT server, the
 *   bootstrap node and will holder of its share of the users;
 * - the measured desktop node (idle-node.ts), one of that relay's clients,
 *   watching C users drawn at random and watched by C others;
 * - everyone else (scale-step.ts), in one process over @libp2p/memory.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Cleanup, startProc, stopChild } from '../mesh/procs.js'
import { IpcProc } from './ipc.js'
import { withLoad } from './report.js'
import { scaleMarkdown, scaleRow, healthy, type ScalePlan, type ScaleStep } from './scale-report.js'
import { pickContacts } from './scale-workload.js'
import { writeSection } from './report.js'
import type { IdleCommand } from './idle-node.js'
import type { ProbeSnapshot } from './idle-probe.js'
import type { StepCommand, StepSnapshot } from './scale-step.js'

const IDLE_NODE = fileURLToPath(new URL('./idle-node.js', import.meta.url))
const STEP = fileURLToPath(new URL('./scale-step.js', import.meta.url))
const STEPS = [10, 30, 100, 300, 1000]
const USERS_PER_RELAY = 100
/** Starting a thousand nodes and their subscriptions on a shared 2-core machine takes many minutes */
const START_LIMIT_MS = 20 * 60_000
const SUBSCRIBE_LIMIT_MS = 30 * 60_000
/** A subscription that outlasts the step */
const SUBSCRIPTION_S = 24 * 3600
/** After subscribing: hang-ups (2 s), the DHT's first refreshes */
const SETTLE_S = 20
/** After the changes begin, before the window */
const WARMUP_S = 20
/** Heap for a thousand nodes: the machine's memory, not V8's default, should be the limit */
const HEAP_MIB = 16_384

/** A snapshot waits for three processes' event loops, which lag under load */
const SNAPSHOT_TIMEOUT_MS = 120_000

const sleep = async (s: number): Promise<void> => new Promise(resolve => setTimeout(resolve, s * 1000))

/** The desktop node changes as the simulated users do: first at a random moment in the first interval, then every 0.5–1.5 intervals */
function desktopChanges (desktop: IpcProc, intervalS: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let k = 0
  const next = (delayS: number): void => {
    timer = setTimeout(() => {
      const availability = (['away', 'busy', 'available'] as const)[k++ % 3]
      desktop.call<boolean, IdleCommand>({ op: 'publish', availability }).catch(() => false)
      next(intervalS * (0.5 + Math.random()))
    }, delayS * 1000)
  }
  next(Math.random() * intervalS)
  return () => clearTimeout(timer)
}

async function runStep (cleanup: Cleanup, n: number, plan: ScalePlan, log: (line: string) => void): Promise<ScaleStep> {
  const relays = Math.max(1, Math.ceil(n / USERS_PER_RELAY))
  // a small network has fewer users than a user has contacts: then everyone watches everyone
  const step: ScaleStep = { nodes: n, relays, contacts: Math.min(plan.contacts, n - relays - 1) }
  const home = await cleanup.tempDir('pmesh-scale-')
  const procs: IpcProc[] = []
  try {
    const relay = new IpcProc(await startProc(cleanup, IDLE_NODE, ['--mode', 'ours', '--relay', '--home', join(home, 'relay')], { ipc: true }))
    procs.push(relay)
    const relayAddress: string = relay.proc.info.addresses[0]
    const desktop = new IpcProc(await startProc(cleanup, IDLE_NODE, ['--mode', 'ours', '--home', join(home, 'desktop'), '--bootstrap', relayAddress], { ipc: true }))
    procs.push(desktop)
    await desktop.call<number, IdleCommand>({ op: 'connect', addr: relayAddress })
    const bulkCount = n - 2
    log(`  measured relay and desktop node running; starting the other ${bulkCount} nodes (${relays - 1} relays) in one process`)
    const bulk = new IpcProc(await startProc(cleanup, STEP, ['--nodes', String(bulkCount), '--relays', String(relays), '--bootstrap', relayAddress],
      { ipc: true, timeoutMs: START_LIMIT_MS, nodeArgs: [`--max-old-space-size=${HEAP_MIB}`], onStderr: log }))
    procs.push(bulk)
    const users: string[] = bulk.proc.info.peerIds
    step.startS = bulk.proc.info.startS
    // the desktop node is one more user: its contacts drawn as everyone's are, and as many watch it
    const contacts = pickContacts(users.length + 1, plan.contacts)[users.length].map(i => users[i])
    const [own, others] = await Promise.all([
      desktop.call<number, IdleCommand>({ op: 'subscribe', targets: contacts, duration: SUBSCRIPTION_S }, SUBSCRIBE_LIMIT_MS),
      bulk.call<{ subscribed: number, failed: number }, StepCommand>({ op: 'subscribe', contacts: plan.contacts, probe: desktop.proc.info.peerId, probeWatchers: plan.contacts, duration: SUBSCRIPTION_S }, SUBSCRIBE_LIMIT_MS)
    ])
    step.subscribed = { desktop: own, desktopOf: contacts.length, others: others.subscribed, othersOf: others.subscribed + others.failed }
    log(`  subscribed: desktop ${own}/${contacts.length}, the others ${others.subscribed}/${others.subscribed + others.failed}; settling ${SETTLE_S} s`)
    await sleep(SETTLE_S)
    await bulk.call<boolean, StepCommand>({ op: 'churn', intervalS: plan.intervalS })
    const stopDesktop = desktopChanges(desktop, plan.intervalS)
    try {
      await sleep(WARMUP_S)
      const snap = async (): Promise<[ProbeSnapshot, ProbeSnapshot, StepSnapshot, number]> => Promise.all([
        desktop.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS), relay.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS),
        bulk.call<StepSnapshot, StepCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS), desktop.call<number, IdleCommand>({ op: 'notifies' }, SNAPSHOT_TIMEOUT_MS)
      ])
      log(`  changes under way; a ${plan.windowS} s window`)
      const { result, load } = await withLoad(async () => {
        const before = await snap()
        await sleep(plan.windowS)
        return { before, after: await snap() }
      })
      step.window = { desktop: [result.before[0], result.after[0]], relay: [result.before[1], result.after[1]], bulk: [result.before[2], result.after[2]], notifies: result.after[3] - result.before[3] }
      // who closed the relay's connections says whether a storm began at the relay or at its clients
      const [r0, r1] = step.window.relay
      log(`  relay: ${r1.opened - r0.opened} connections opened and ${r1.closed - r0.closed} closed in the window; since it started: ${Object.entries(r1.closeReasons).map(([why, n]) => `${n} ${why}`).join(', ')}`)
      step.load = load
    } finally {
      stopDesktop()
    }
  } catch (err: any) {
    step.error = String(err.message).slice(0, 300)
  } finally {
    await Promise.all(procs.reverse().map(async p => stopChild(p.proc.child, 'SIGTERM')))
  }
  return step
}

export async function scaleMain (benchmarksMd: string): Promise<number> {
  const { values } = parseArgs({ allowPositionals: true, strict: false, options: { max: { type: 'string', default: '1000' }, contacts: { type: 'string', default: '20' }, interval: { type: 'string', default: '180' }, window: { type: 'string', default: '120' } } })
  const plan: ScalePlan = { contacts: Number(values.contacts), intervalS: Number(values.interval), windowS: Number(values.window) }
  if (![plan.contacts, plan.intervalS, plan.windowS].every(v => Number.isInteger(v) && v > 0)) throw new Error('--contacts, --interval and --window take whole positive numbers')
  const cleanup = new Cleanup()
  const t0 = Date.now()
  const log = (line: string): void => console.log(`[${Math.round((Date.now() - t0) / 1000)} s] ${line}`)
  const steps = STEPS.filter(s => s <= Number(values.max))
  cleanup.install(steps.length * (START_LIMIT_MS + SUBSCRIBE_LIMIT_MS), log)
  const started = new Date()
  const results: ScaleStep[] = []
  try {
    for (const n of steps) {
      log(`\n== ${n} nodes: ${plan.contacts} contacts each, a change every ${plan.intervalS} s on average`)
      const result = await runStep(cleanup, n, plan, log)
      results.push(result)
      log(scaleRow(result).join(' | '))
      // the next step is larger in every way: once one breaks, the next would only break worse and take longer
      if (!healthy(result)) {
        log(`  ${n} nodes did not keep up; larger steps not tried`)
        break
      }
    }
  } finally {
    await cleanup.teardown()
  }
  await writeSection(benchmarksMd, 'scale', scaleMarkdown(results, plan, started))
  log(`\nwritten to the scale section of ${benchmarksMd}`)
  return results.length > 0 && healthy(results[0]) ? 0 : 1
}
