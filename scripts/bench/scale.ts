/**
 * `npm run bench -- scale [--max N]`: how presence notify latency and the
 * cost per node grow with the mesh, 10 to 1,000 nodes. Each step runs in a
 * process of its own (scale-step.ts), all its nodes inside it, so that a
 * step that breaks (memory, file descriptors, a saturated event loop)
 * breaks alone, and memory is measured from a clean start. Results go to
 * the "scale" section of docs/BENCHMARKS.md; the other sections are kept.
 */
import { execSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Cleanup, startProc, stopChild } from '../mesh/procs.js'
import { formatTriple, markdownTable, round, textTable } from '../mesh/stats.js'
import { formatLoad, machine, withLoad, writeSection, type Load } from './report.js'
import type { StepResult } from './scale-step.js'

const STEP = fileURLToPath(new URL('./scale-step.js', import.meta.url))
const STEPS = [10, 30, 100, 300, 1000]
/** Start-up may take this long; the whole step (settle, idle window, changes, output) gets 90 s more */
const START_BUDGET_S = 180
const STEP_LIMIT_MS = (START_BUDGET_S + 90) * 1000
const CONNECTION_CEILING = 300
/** File descriptors kept for everything but the nodes' sockets */
const FD_RESERVE = 1_000
/** Heap for a thousand nodes; the machine's memory, not V8's 4 GiB default, should be the limit */
const HEAP_MIB = 16_384

/** Open-file limit of this process's children: every connection costs two descriptors, both ends being in the step's process */
function fileLimit (): number {
  const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim())
  return Number.isFinite(limit) ? limit : 1024
}

async function runStep (cleanup: Cleanup, n: number, maxConnections: number, log: (line: string) => void): Promise<StepResult> {
  const args = ['--nodes', String(n), '--max-connections', String(maxConnections), '--start-budget', String(START_BUDGET_S)]
  log(`\n== ${n} nodes in one process, at most ${maxConnections} connections each`)
  const proc = await startProc(cleanup, STEP, args, { timeoutMs: STEP_LIMIT_MS, nodeArgs: [`--max-old-space-size=${HEAP_MIB}`], onStderr: line => log(line) })
    .catch((err: Error) => ({ error: err.message }))
  if ('error' in proc) return { nodes: n, started: 0, relays: 0, maxConnections, startSeconds: 0, isolated: 0, rssPerNodeMiB: 0, heapPerNodeMiB: 0, cpuMsPerSecPerNode: 0, bytesPerSecPerNode: 0, loopDelayP99Ms: 0, closesPerNodePerMin: 0, subscribed: 0, watchers: 0, missed: 0, error: proc.error.slice(0, 300) }
  await stopChild(proc.child, 'SIGTERM')
  return proc.info
}

const fixed = (value: number, digits = 1): string => String(round(value, digits))

type ScaleRow = StepResult & { load?: Load }

function cells (r: ScaleRow): string[] {
  const notify = r.notify == null ? '–' : formatTriple(r.notify, 'ms')
  return [
    String(r.nodes), String(r.relays), String(r.maxConnections), r.started === r.nodes ? fixed(r.startSeconds) : `${r.started} started`,
    r.connections == null ? '–' : `${r.connections.p50} / ${r.connections.p99}`, String(r.isolated),
    fixed(r.rssPerNodeMiB), fixed(r.cpuMsPerSecPerNode, 2), fixed(r.bytesPerSecPerNode / 1024, 2), fixed(r.loopDelayP99Ms, 0), fixed(r.closesPerNodePerMin, 2),
    `${r.subscribed}/${r.watchers}`, notify, String(r.missed), formatLoad(r.load), r.error ?? ''
  ]
}

/** Why a step whose loop kept up broke, as far as its figures say */
function isolation (step: StepResult): string {
  if (step.isolated === 0) return 'Its error says what failed.'
  return `${step.isolated} of ${step.nodes} nodes had no connection at all in the idle window: every node bootstraps from a relay, and a relay may hold only ${step.maxConnections} connections here (the open-file limit, shared by the whole process), fewer than the ${Math.round(step.nodes / Math.max(1, step.relays))} nodes that use it; libp2p's connection manager refuses or prunes the rest (the likely cause, not traced further), and a node cut off from its relay hears no change.`
}

/** The loop delay (p99) scale-step.ts waits under before starting more nodes: above it the loop is saturated */
const SATURATED_LOOP_DELAY_MS = 100

/**
 * Why a step whose event loop saturated broke (seen with DEBUG=libp2p:* in a
 * 30-node run before the IP colocation penalty was found and switched off)
 */
const loopSaturation = `- Once the loop lags by hundreds of milliseconds, Noise handshakes time out and libp2p's connection
  monitor aborts connections whose ping is late (\`EncryptionFailedError: The operation was aborted due to
  timeout\`, \`aborting connection due to ping failure\`); connections keep closing (closes/node/min) and
  being redialled, which loads the loop further; a subscribe still gets through on a fresh connection, but
  the gossip mesh that carries later changes does not hold. This is a limit of the simulation — one core
  for all the nodes — not of a node: each real node has a core of its own, and pays the per-node idle
  figures above alone.`

const HEADER = ['nodes', 'relays', 'max conns', 'start-up s', 'conns/node p50 / p99', 'isolated', 'RSS MiB/node', 'idle CPU ms/s/node', 'idle KiB/s/node', 'loop delay p99 ms', 'closes/node/min', 'subscribed', 'notify p50 · p95 · p99', 'missed', 'load', 'error']

/** A step works when every node started and every watcher got (nearly) every change */
function healthy (r: StepResult): boolean {
  return r.error == null && r.started === r.nodes && r.subscribed === r.watchers && r.missed === 0
}

export async function scaleMain (benchmarksMd: string): Promise<number> {
  const { values } = parseArgs({ allowPositionals: true, options: { max: { type: 'string', default: '1000' } } })
  const max = Number(values.max)
  const cleanup = new Cleanup()
  const log = (line: string): void => console.log(line)
  cleanup.install(STEPS.length * STEP_LIMIT_MS + 60_000, log)
  const started = new Date()
  const loadAtStart = loadavg()[0]
  const fds = fileLimit()
  const results: ScaleRow[] = []
  try {
    for (const n of STEPS.filter(s => s <= max)) {
      // both ends of every connection are in the step's process
      const maxConnections = Math.min(CONNECTION_CEILING, Math.floor((fds - FD_RESERVE) / n))
      // each step carries the load average around it: the machine is shared
      const { result: step, load } = await withLoad(async () => runStep(cleanup, n, maxConnections, log))
      const result = { ...step, load }
      results.push(result)
      log(textTable(HEADER, [cells(result)]))
      // the next step is larger in every way: once one breaks, the next would only break worse and take longer
      if (!healthy(result)) {
        log(`  ${n} nodes did not work; larger steps not tried`)
        break
      }
    }
  } finally {
    await cleanup.teardown()
  }
  const seconds = Math.round((Date.now() - started.getTime()) / 1000)
  await writeSection(benchmarksMd, 'scale', report(results, fds, started, seconds, loadAtStart))
  log(`\n${textTable(HEADER, results.map(cells))}\nwritten to the scale section of ${benchmarksMd}`)
  return results.length > 0 && healthy(results[0]) ? 0 : 1
}

function report (results: ScaleRow[], fds: number, started: Date, seconds: number, loadAtStart: number): string {
  const broken = results.find(r => !healthy(r))
  const last = [...results].reverse().find(healthy)
  const cores = cpus().length
  // the smallest working step: the least contended per-node figure
  const base = results.find(healthy) ?? results[0]
  return `## Scale simulation

Written by \`npm run bench -- scale\` (scripts/bench/scale.ts, scale-step.ts) on ${started.toISOString()} in ${seconds} s,
${machine()}, open-file limit ${fds}; load average ${loadAtStart.toFixed(1)} at the start,
${loadavg()[0].toFixed(1)} at the end — on a shared machine the step's process gets only its share of the cores, which
moves the point where its event loop saturates (each step's \`load\` column: the load average when it began → ended).

Every node of a step is a real presence-mesh node (\`createNode\`, in-memory datastore) and all of
them run in one process, over TCP on 127.0.0.1 (@libp2p/memory, an in-memory transport, is not
installed). One relay per 100 nodes; every other node bootstraps from a single relay; the relays
serve the DHT and the other nodes ask it (\`dhtServer: "auto"\`). Since both ends of every connection live in the step's
process, each node may hold at most (open-file limit − ${FD_RESERVE}) / nodes connections (and never more
than our ceiling of ${CONNECTION_CEILING}). libp2p's per-node defaults — 10 inbound connections pending, 5
inbound connections per second from one IP — would reset most dials here (all nodes share one
IP and one event loop), so the step raises them. Nodes start 10 at a time, each batch once the event loop keeps up again
(delay p99 under 100 ms). After start-up and 10 s to settle, a 10 s idle
window measures the cost per node: CPU time of the process, bytes written to sockets
(/proc/self/io), RSS growth. Then 10 plain nodes spread over the mesh subscribe to one more, which
changes its availability 10 times after a warm-up; notify latency = \`publish()\` called → the
watcher's \`notify\` event, on one clock.

${markdownTable(HEADER, results.map(cells))}

What this shows:

- ${last == null ? 'No step worked.' : `Up to ${last.nodes} nodes every watcher saw every change (notify p50 ${last.notify?.p50} ms).`}
- ${broken == null ? 'No step broke within the steps tried.' : `At ${broken.nodes} nodes the step broke: ${broken.error ?? (broken.started < broken.nodes ? `${broken.started} of ${broken.nodes} nodes started` : `${broken.subscribed}/${broken.watchers} watchers subscribed, ${broken.missed} notifications missed`)}.`}
- All nodes share one event loop, which runs on one core. ${results.map(r => `At ${r.nodes} nodes the idle mesh needed ${fixed(r.cpuMsPerSecPerNode * r.nodes / 10, 0)} % of a core (the process's CPU time, garbage collector and libuv threads included) and the loop lagged ${fixed(r.loopDelayP99Ms, 0)} ms (p99)`).join('. ')}.
${broken == null || broken.loopDelayP99Ms >= SATURATED_LOOP_DELAY_MS ? loopSaturation : `- At ${broken.nodes} nodes the loop still kept up (p99 under ${SATURATED_LOOP_DELAY_MS} ms): the break is not the shared core. ${isolation(broken)}`}
- The ${cores} cores of this machine bound any layout, not just one process: at the idle CPU per node
  measured here, ${base == null ? 'no step' : `${fixed(cores * 1000 / Math.max(base.cpuMsPerSecPerNode, 0.001), 0)} nodes (${fixed(base.cpuMsPerSecPerNode, 1)} ms/s each, at ${base.nodes} nodes)`} would fill them even with perfect spreading.

What it would take to go further: cores — one process per core (worker threads or child
processes), each holding only as many nodes as keep its loop delay in the tens of milliseconds,
and more machines for hundreds of nodes; a lower idle cost per node (what the "Idle cost" work
measures); an in-memory transport (@libp2p/memory, \`npm install --save-dev @libp2p/memory\` at the
version matching libp2p 3) to drop TCP and two file descriptors per connection; and, for 1,000
nodes in one process, a higher open-file limit — the connection cap per node it forces
(${results.map(r => `${r.maxConnections} at ${r.nodes}`).join(', ')}; ${Math.floor((fds - FD_RESERVE) / 1000)} at 1,000) is below what the DHT routing table and the gossip mesh want.`
}
