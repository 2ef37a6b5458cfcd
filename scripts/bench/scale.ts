/**
 * `npm run bench -- scale [--sizes 10,30,100,300] [--contacts C] [--interval S[,S…]] [--window S[,S…]]
 *   [--per-process M] [--subscribes K] [--bulk-heap MIB] [--relay-connections C] [--keep FILE [--report]] [--model]`:
 * what one desktop node and one relay cost as the network around them grows,
 * 10 to 1,000 nodes, every user with C contacts changing its availability
 * every S seconds on average (one S per size, or one for all). `--keep FILE`
 * adds the steps of earlier runs kept in FILE (JSON) to the report and keeps
 * this run's there too: a step of 1,000 nodes takes half an hour, so the
 * curve may be run a few sizes at a time; with `--report` the section is
 * written from FILE alone. Results go to the "scale" section of
 * docs/BENCHMARKS.md (scale-report.ts), with the model calibrated on them
 * (scale-model.ts); the other sections are kept. `--model` prints the model
 * at its default calibration and runs nothing.
 *
 * Each step runs, so that the two measured nodes' CPU and sockets are their
 * own (idle-probe.ts counts them):
 * - the measured relay (idle-node.ts --relay): relay 0, a DHT server, the
 *   bootstrap node and will holder of its share of the users;
 * - the measured desktop node (idle-node.ts), one of that relay's clients,
 *   watching C users drawn at random and watched by C others;
 * - everyone else (scale-step.ts), at most BULK_NODES to a process: one
 *   event loop with hundreds of nodes stalled for seconds, its nodes missed
 *   their relay's pings, and the relay pushed their wills (a will storm).
 *   Bulk processes start one after the other, each in waves.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Cleanup, startProc, stopChild } from '../mesh/procs.js'
import { IpcProc } from './ipc.js'
import { withLoad, writeSection } from './report.js'
import { modelMarkdown } from './scale-model.js'
import { scaleMarkdown, scaleRow, healthy, calibrate, type ScalePlan, type ScaleStep } from './scale-report.js'
import { pickContacts } from './scale-workload.js'
import type { IdleCommand } from './idle-node.js'
import type { ProbeSnapshot } from './idle-probe.js'
import type { StepCommand, StepSnapshot, SubscribeResult } from './scale-step.js'

const IDLE_NODE = fileURLToPath(new URL('./idle-node.js', import.meta.url))
const STEP = fileURLToPath(new URL('./scale-step.js', import.meta.url))
const SIZES = '10,30,100,300,1000'
const USERS_PER_RELAY = 100
/**
 * Nodes per bulk process, by default (`--per-process`): 28 in one loop kept up on a quiet machine,
 * 98 did not on a shared one. A loop 5 s late makes every node in it catch up at once (record 015)
 */
const BULK_NODES = 50
/**
 * The least ping timeout, ms, of every node of the simulation (libp2p's is 5 s): a bulk loop
 * lagging a few seconds must not look like a dead client to its relay. Real nodes keep libp2p's.
 */
const PING_TIMEOUT_MS = 20_000
/** A bulk loop that stalled this long in the window may have lost connections: the step is flagged */
const STALL_MS = 5_000
/** One bulk process starting its ~50 nodes in waves on a shared 2-core machine */
const START_LIMIT_MS = 10 * 60_000
/** 1,000 nodes make 20,000 subscriptions: at 150 nodes the network made 39 a second (load 16) */
const SUBSCRIBE_LIMIT_MS = 30 * 60_000
/**
 * Subscriptions in flight across the whole network while it subscribes, by default (`--subscribes`;
 * each a DHT lookup, then the presentity's answer). 50 per process in 31 processes at 300 nodes made
 * 1,500 lookups at once to 3 relays; the measured one refused 269 DHT streams over its bound of 128
 * (src/node/stream-limits.ts), the lookups found no record and no subscription reached its presentity
 * (record 015)
 */
const SUBSCRIBES_IN_FLIGHT = 100
/** A subscription that outlasts the step */
const SUBSCRIPTION_S = 24 * 3600
/** After subscribing: hang-ups (2 s), the DHT's first refreshes */
const SETTLE_S = 20
/** After the changes begin, before the window: the measured nodes' first changes and connections settle */
const WARMUP_S = 40
/**
 * Old space per bulk process, MiB (a plain one's by default, `--bulk-heap`): the machine's memory, not V8's default,
 * should be the limit. A process's RSS is the peak of its heap, not what lives in it: V8 keeps the pages
 * a full GC frees in its pool (20 nodes at 100: 30–50 MiB live, 250–290 MiB anonymous RSS after the
 * subscribe burst, record 015); `--bulk-heap 256` holds that peak down for the 1,000-node step
 */
const HEAP_MIB = 4_096

/** A snapshot waits for every process's event loop, which lags under load */
const SNAPSHOT_TIMEOUT_MS = 120_000

/** The commit a step runs, so that a curve gathered from several runs says which code each row measured */
const commit = (): string => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

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

/** Relays to a relay process: each is a DHT server of every record below 20 relays, the busiest nodes of a step */
const RELAYS_PER_PROCESS = 3

/**
 * Start the bulk of the network: the other R − 1 relays in processes of their own, at most
 * RELAYS_PER_PROCESS each, then the plain nodes in processes of at most BULK_NODES.
 * SCALE_PROFILE=DIR: the first plain process writes a CPU profile of the window and a heap snapshot
 * at its end there (scale-step.ts --profile).
 */
async function startBulk (cleanup: Cleanup, n: number, relays: number, plan: ScalePlan, relayAddress: string, log: (line: string) => void): Promise<{ procs: IpcProc[], users: string[][], startS: number }> {
  const t0 = Date.now()
  const procs: IpcProc[] = []
  const users: string[][] = []
  const common = ['--relays', String(relays), '--bootstrap', relayAddress, '--ping-timeout', String(PING_TIMEOUT_MS)]
  const ceiling = plan.relayConnections == null ? [] : ['--relay-connections', String(plan.relayConnections)]
  const relayAddrs: string[] = []
  for (let from = 1; from < relays; from += RELAYS_PER_PROCESS) {
    const to = Math.min(relays, from + RELAYS_PER_PROCESS)
    const proc = new IpcProc(await startProc(cleanup, STEP, ['--nodes', '0', '--start-relays', `${from}:${to}`, ...ceiling, ...common], { ipc: true, timeoutMs: START_LIMIT_MS, nodeArgs: [`--max-old-space-size=${HEAP_MIB}`], onStderr: log }))
    procs.push(proc)
    users.push([])
    relayAddrs.push(...proc.proc.info.relayAddrs)
    log(`  relay process: relays ${from}…${to - 1} running`)
  }
  const count = n - 1 - relays
  const { perProcess, heapMiB } = plan
  const processes = Math.ceil(count / perProcess)
  const profile = process.env.SCALE_PROFILE
  let first = 0
  for (let p = 0; p < processes; p++) {
    const nodes = Math.floor(count * (p + 1) / processes) - Math.floor(count * p / processes)
    const args = ['--first', String(first), '--nodes', String(nodes), ...common, '--relay-addrs', relayAddrs.join(','), ...(p === 0 && profile != null ? ['--profile', profile] : [])]
    const proc = new IpcProc(await startProc(cleanup, STEP, args, { ipc: true, timeoutMs: START_LIMIT_MS, nodeArgs: [`--max-old-space-size=${heapMiB}`], onStderr: log }))
    procs.push(proc)
    users.push(proc.proc.info.peerIds)
    first += nodes
    log(`  bulk process ${p + 1}/${processes}: ${nodes} nodes running${proc.proc.info.alone > 0 ? ` (${proc.proc.info.alone} not yet connected to their relay 20 s after starting; their keepers dial again)` : ''}`)
  }
  return { procs, users, startS: Math.round((Date.now() - t0) / 1000) }
}

async function runStep (cleanup: Cleanup, n: number, plan: ScalePlan, log: (line: string) => void): Promise<ScaleStep> {
  const relays = Math.max(1, Math.ceil(n / USERS_PER_RELAY))
  // a small network has fewer users than a user has contacts: then everyone watches everyone
  const step: ScaleStep = { nodes: n, relays, contacts: Math.min(plan.contacts, n - relays - 1), stallMs: STALL_MS, intervalS: plan.intervalS, windowS: plan.windowS, at: new Date().toISOString(), code: commit(), perProcess: plan.perProcess, heapMiB: plan.heapMiB, relayConnections: plan.relayConnections }
  const home = await cleanup.tempDir('pmesh-scale-')
  const procs: IpcProc[] = []
  try {
    const timeout = ['--ping-timeout', String(PING_TIMEOUT_MS)]
    const ceiling = plan.relayConnections == null ? [] : ['--max-connections', String(plan.relayConnections)]
    const relay = new IpcProc(await startProc(cleanup, IDLE_NODE, ['--mode', 'ours', '--relay', '--home', join(home, 'relay'), ...ceiling, ...timeout], { ipc: true }))
    procs.push(relay)
    const relayAddress: string = relay.proc.info.addresses[0]
    const desktop = new IpcProc(await startProc(cleanup, IDLE_NODE, ['--mode', 'ours', '--home', join(home, 'desktop'), '--bootstrap', relayAddress, ...timeout], { ipc: true }))
    procs.push(desktop)
    await desktop.call<number, IdleCommand>({ op: 'connect', addr: relayAddress })
    log(`  measured relay and desktop node running; starting the other ${n - 2} nodes (${relays - 1} relays), at most ${plan.perProcess} to a process`)
    const bulk = await startBulk(cleanup, n, relays, plan, relayAddress, log)
    procs.push(...bulk.procs)
    step.startS = bulk.startS
    step.processes = bulk.procs.length
    // the whole network's contact graph: the desktop node is one more user, its contacts drawn as everyone's are
    const users = bulk.users.flat()
    const graph = pickContacts(users.length, plan.contacts)
    const probe: string = desktop.proc.info.peerId
    const contacts = pickContacts(users.length + 1, plan.contacts)[users.length].map(i => users[i])
    // as many watch the desktop node as it watches: the first plain nodes
    const targetsOf = (g: number): string[] => [...graph[g].map(i => users[i]), ...(g < contacts.length ? [probe] : [])]
    let offset = 0
    const slices = bulk.users.map(ids => {
      const targets = ids.map((_, k) => targetsOf(offset + k))
      offset += ids.length
      return targets
    })
    const subscribing = Date.now()
    // shared among the processes, rounded: 100 in 53 processes is 2 each, not 1
    const concurrency = Math.max(1, Math.round(plan.subscribes / bulk.procs.length))
    const [own, ...others] = await Promise.all([
      desktop.call<number, IdleCommand>({ op: 'subscribe', targets: contacts, duration: SUBSCRIPTION_S }, SUBSCRIBE_LIMIT_MS),
      ...bulk.procs.map(async (proc, p) => proc.call<SubscribeResult, StepCommand>({ op: 'subscribe', targets: slices[p], duration: SUBSCRIPTION_S, ignore: [probe], concurrency }, SUBSCRIBE_LIMIT_MS))
    ]) as [number, ...SubscribeResult[]]
    step.subscribeS = Math.round((Date.now() - subscribing) / 1000)
    const subscribed = others.reduce((sum, r) => sum + r.subscribed, 0)
    const failed = others.reduce((sum, r) => sum + r.failed, 0)
    step.subscribed = { desktop: own, desktopOf: contacts.length, others: subscribed, othersOf: subscribed + failed, granted: others.reduce((sum, r) => sum + r.granted, 0) }
    // a change made in one process is awaited by watchers in all: each process learns its presentities' watcher counts
    const watchers: Record<string, number> = {}
    for (const r of others) for (const [target, count] of Object.entries(r.watching)) watchers[target] = (watchers[target] ?? 0) + count
    await Promise.all(bulk.procs.map(async proc => proc.call<boolean, StepCommand>({ op: 'watchers', watchers }, SNAPSHOT_TIMEOUT_MS)))
    const of = (k: 'granted' | 'noRecord' | 'closed' | 'retried'): number => others.reduce((sum, r) => sum + r[k], 0)
    log(`  subscribed in ${step.subscribeS} s, ${concurrency} at a time in each process (${Math.round((subscribed + failed) / step.subscribeS)} a second): desktop ${own}/${contacts.length}, the others ${subscribed}/${subscribed + failed} (${of('retried')} subscribed again after the burst; ${of('granted')} granted by the presentity; waiting for it: ${of('noRecord')} found no record, ${of('closed')} a closed one, ${subscribed - of('granted') - of('noRecord') - of('closed')} an open one that did not answer); settling ${SETTLE_S} s`)
    await sleep(SETTLE_S)
    await Promise.all(bulk.procs.map(async proc => proc.call<boolean, StepCommand>({ op: 'churn', intervalS: plan.intervalS })))
    const stopDesktop = desktopChanges(desktop, plan.intervalS)
    try {
      log(`  changes under way; ${WARMUP_S} s of warm-up, then a ${plan.windowS} s window`)
      await sleep(WARMUP_S)
      const snap = async (): Promise<[ProbeSnapshot, ProbeSnapshot, StepSnapshot[], number]> => {
        const [d, r, notifies, ...b] = await Promise.all([
          desktop.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS), relay.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS),
          desktop.call<number, IdleCommand>({ op: 'notifies' }, SNAPSHOT_TIMEOUT_MS),
          ...bulk.procs.map(async proc => proc.call<StepSnapshot, StepCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS))
        ]) as [ProbeSnapshot, ProbeSnapshot, number, ...StepSnapshot[]]
        return [d, r, b, notifies]
      }
      const { result, load } = await withLoad(async () => {
        const before = await snap()
        await sleep(plan.windowS)
        return { before, after: await snap() }
      })
      step.window = { desktop: [result.before[0], result.after[0]], relay: [result.before[1], result.after[1]], bulk: [result.before[2], result.after[2]], notifies: result.after[3] - result.before[3] }
      const [r0, r1] = step.window.relay
      log(`  relay: ${r1.opened - r0.opened} connections opened and ${r1.closed - r0.closed} closed in the window`)
      step.load = load
      // what the desktop node's bytes are: its streams by protocol and its connections in the window
      const [d0, d1] = step.window.desktop
      const streams = Object.entries(d1.streams).map(([what, k]) => [what, k - (d0.streams[what] ?? 0)] as const).filter(([, k]) => k > 0).sort((a, b) => b[1] - a[1])
      const [b0, b1] = step.window.bulk
      log(`  bulk processes in the window: ${b1.map((s, p) => `${s.cutOffs - b0[p].cutOffs} cut-offs, ${s.wakes - b0[p].wakes} wakes, loop max ${Math.round(s.loopDelayMaxMs)} ms`).join('; ')}`)
      // where the window's notifications went: lost subscriptions, skipped or failed pushes, or lost at the watcher
      const sum = (snaps: StepSnapshot[], f: (s: StepSnapshot) => number): number => snaps.reduce((t, s) => t + f(s), 0)
      const diff = (f: (s: StepSnapshot) => number): number => sum(b1, f) - sum(b0, f)
      log(`  bulk changes in the window: ${diff(s => s.expected)} watchers expected, ${diff(s => s.known)} known to their presentities; pushes ${diff(s => s.pushTried)} tried, ${diff(s => s.pushSkipped)} skipped as unreachable, ${diff(s => s.pushFailed)} failed twice; ${diff(s => s.delivered)} delivered, ${diff(s => s.wills)} wills; verdicts at watchers ${['accept', 'ignore', 'reject'].map(v => `${v} ${diff(s => s.verdicts[v] ?? 0)}`).join(', ')}; subscriptions ${sum(b1, s => s.granted)} granted of ${sum(b1, s => s.subscriptions)}`)
      log(`  bulk refused inbound streams in the window: ${JSON.stringify(Object.fromEntries([...new Set(b1.flatMap(s => Object.keys(s.refused)))].map(k => [k, sum(b1, s => s.refused[k] ?? 0) - sum(b0, s => s.refused[k] ?? 0)])))}`)
      const mib = (bytes: number): number => Math.round(bytes / 2 ** 20)
      log(`  bulk memory, MiB per process (rss / heap used / heap total / external / array buffers): ${b1.map(s => [s.memory.rss, s.memory.heapUsed, s.memory.heapTotal, s.memory.external, s.memory.arrayBuffers].map(mib).join('/')).join('; ')}`)
      log(`  desktop: ${d1.opened - d0.opened} connections opened in the window; streams: ${streams.map(([what, k]) => `${k} ${what}`).join(', ')}`)
    } finally {
      stopDesktop()
    }
  } catch (err: any) {
    step.error = String(err.message).slice(0, 300)
  } finally {
    // who closed the relay's connections, and how, says whether a storm began at the relay or at its clients; a broken step too
    const relay = await procs[0]?.call<ProbeSnapshot, IdleCommand>({ op: 'snapshot' }, SNAPSHOT_TIMEOUT_MS).catch(() => undefined)
    if (relay != null) log(`  relay connections closed since it started: ${Object.entries(relay.closeReasons).map(([why, k]) => `${k} ${why}`).join(', ')}`)
    if (relay != null) log(`  relay refused inbound streams: ${JSON.stringify(relay.refused)}`)
    for (const [why, stack] of Object.entries(relay?.closeStacks ?? {})) log(`  relay close "${why}", first stack:\n${stack}`)
    await Promise.all(procs.reverse().map(async p => stopChild(p.proc.child, 'SIGTERM')))
  }
  return step
}

/** Steps in the report's order: by size, then in the order they ran */
const bySize = (steps: ScaleStep[]): ScaleStep[] => [...steps].sort((a, b) => a.nodes - b.nodes || (a.at ?? '').localeCompare(b.at ?? ''))

/** `--interval 180,180,600`: one value per size, or one for all */
function perSize (value: string, sizes: number[], name: string): number[] {
  const values = value.split(',').map(Number)
  if (values.length !== 1 && values.length !== sizes.length) throw new Error(`--${name} takes one value or one per size`)
  if (!values.every(v => Number.isInteger(v) && v > 0)) throw new Error(`--${name} takes whole positive numbers`)
  return sizes.map((_, i) => values[values.length === 1 ? 0 : i])
}

export async function scaleMain (benchmarksMd: string): Promise<number> {
  const { values } = parseArgs({
    allowPositionals: true,
    strict: false,
    options: { sizes: { type: 'string', default: SIZES }, contacts: { type: 'string', default: '20' }, interval: { type: 'string', default: '180' }, window: { type: 'string', default: '120' }, 'per-process': { type: 'string', default: String(BULK_NODES) }, subscribes: { type: 'string', default: String(SUBSCRIBES_IN_FLIGHT) }, 'bulk-heap': { type: 'string', default: String(HEAP_MIB) }, 'relay-connections': { type: 'string' }, keep: { type: 'string' }, report: { type: 'boolean', default: false }, model: { type: 'boolean', default: false } }
  })
  if (values.model === true) {
    console.log(modelMarkdown())
    return 0
  }
  const steps = String(values.sizes).split(',').map(Number)
  if (!steps.every(v => Number.isInteger(v) && v >= 3)) throw new Error('--sizes takes network sizes of at least 3 nodes, e.g. 10,30,100')
  const contacts = Number(values.contacts)
  if (!Number.isInteger(contacts) || contacts <= 0) throw new Error('--contacts takes a whole positive number')
  const perProcess = Number(values['per-process'])
  if (!Number.isInteger(perProcess) || perProcess <= 0) throw new Error('--per-process takes a whole positive number')
  const subscribes = Number(values.subscribes)
  if (!Number.isInteger(subscribes) || subscribes <= 0) throw new Error('--subscribes takes a whole positive number')
  const heapMiB = Number(values['bulk-heap'])
  if (!Number.isInteger(heapMiB) || heapMiB < 64) throw new Error('--bulk-heap takes MiB, 64 at least')
  // every relay's connection ceiling, the measured one's too: below 20 relays every node keeps a connection to each (record 015)
  const relayConnections = values['relay-connections'] == null ? undefined : Number(values['relay-connections'])
  if (relayConnections != null && (!Number.isInteger(relayConnections) || relayConnections <= 0)) throw new Error('--relay-connections takes a whole positive number')
  const intervals = perSize(String(values.interval), steps, 'interval')
  const windows = perSize(String(values.window), steps, 'window')
  const keep = typeof values.keep === 'string' ? values.keep : undefined
  const kept: ScaleStep[] = keep != null && existsSync(keep) ? JSON.parse(await readFile(keep, 'utf8')) : []
  if (values.report === true) {
    // the section again from the kept steps (the report's code changed, or a step was dropped from the file by hand)
    await writeSection(benchmarksMd, 'scale', scaleMarkdown(bySize(kept), contacts) + '\n' + modelMarkdown(calibrate(bySize(kept))))
    return 0
  }
  const cleanup = new Cleanup()
  const t0 = Date.now()
  const log = (line: string): void => console.log(`[${Math.round((Date.now() - t0) / 1000)} s] ${line}`)
  cleanup.install(steps.length * (START_LIMIT_MS * 4 + SUBSCRIBE_LIMIT_MS), log)
  const results: ScaleStep[] = []
  try {
    for (const [i, n] of steps.entries()) {
      const plan: ScalePlan = { contacts, intervalS: intervals[i], windowS: windows[i], perProcess, subscribes, heapMiB, relayConnections }
      log(`\n== ${n} nodes: ${plan.contacts} contacts each, a change every ${plan.intervalS} s on average`)
      const result = await runStep(cleanup, n, plan, log)
      results.push(result)
      if (keep != null) await writeFile(keep, JSON.stringify([...kept, ...results]))
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
  const all = bySize([...kept, ...results])
  await writeSection(benchmarksMd, 'scale', scaleMarkdown(all, contacts) + '\n' + modelMarkdown(calibrate(all)))
  log(`\nwritten to the scale section of ${benchmarksMd}`)
  return results.length > 0 && healthy(results[0]) ? 0 : 1
}
