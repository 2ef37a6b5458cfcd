/**
 * `npm run bench [-- --quick] [--large] [--only startup|presence|push|messaging]`: presence-mesh figures beside
 * raw-libp2p baselines measured in the same run, printed and written to
 * docs/BENCHMARKS.md (`--only`: one section, printed, not written; `--only startup` writes its own section,
 * `--only presence` its rows of the table). A full run takes about five minutes, --quick about
 * two. --large adds 50 watchers, one process per node: more than a 2-core
 * machine can run (tried here: start-ups grew past 30 s, load reached 30,
 * while the mesh was still forming).
 *
 * `npm run bench -- scale [--sizes 10,30,100] [--model]`: the scale simulation and its model (scale.ts).
 * `npm run bench -- gateway`: presence latency through the XMPP gateway beside XMPP ↔ XMPP (gateway.ts).
 * `npm run bench -- bodies [--quick]`: a 1 MiB message beside 1 MiB on a raw libp2p stream (bodies.ts), printed.
 * `npm run bench -- idle [--quick] [--contacts 0,100]`: the idle cost of a node with 0, 100
 * and 500 contacts beside a plain libp2p node (idle.ts), written to the
 * "Idle cost" section of docs/BENCHMARKS.md; about fifteen minutes.
 * `--contacts` runs only the given contact counts and prints, writing nothing.
 * `npm run bench -- relay [--quick] [--clients 50,100,200]`: one relay's memory, CPU and bytes per
 * connected client (relay-sizing.ts), printed as the sizing table of docs/RELAY.md; about fifteen minutes.
 */
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DEFAULT_SETTINGS } from '../../src/node/config.js'
import { Cleanup } from '../mesh/procs.js'
import { oursMesh, rawMesh, recordSizes, startup, type BenchContext } from './figures.js'
import { messageEnvelopeSize, oursMessaging, rawMessaging } from './messaging.js'
import { STARTUP_FIGURES, clientCommands, writeStartupSection } from './startup.js'
import { oursFast, rawFast } from './messaging-fast.js'
import { pushAfterRest, pushLatency, underLoad } from './push-bench.js'
import { idleBench, type IdlePlan } from './idle.js'
import { printIdle, writeIdleSection } from './idle-report.js'
import { loadNow, printTable, replaceRows, writeMarkdown, type Row } from './report.js'

const BENCHMARKS_MD = fileURLToPath(new URL('../../../docs/BENCHMARKS.md', import.meta.url))
/** Whatever hangs, the bench ends (and cleans up) by then: the mailbox drain of 10,000 messages alone takes minutes under load */
const HARD_LIMIT_MS = 25 * 60_000
/** The idle bench: three configurations of start-up, subscribing, settling and a 120 s window (about 15 min here) */
const IDLE_HARD_LIMIT_MS = 30 * 60_000

/** What `--only` may name */
const SECTIONS = ['startup', 'presence', 'push', 'messaging']

/** Sample counts: a full run stays near 5 minutes on 2 cores */
const PLANS = {
  full: { startups: 12, changes: 30, restedChanges: 4, fetchRounds: 5, messaging: { messages: 30, rounds: 3, burst: 200, concurrency: 16, kills: 4 }, fast: { messages: 200, rounds: 3, burst: 4000, concurrency: 64, drain: 10_000 } },
  quick: { startups: 3, changes: 6, restedChanges: 1, fetchRounds: 1, messaging: { messages: 10, rounds: 1, burst: 100, concurrency: 16, kills: 1 }, fast: { messages: 50, rounds: 1, burst: 1000, concurrency: 64, drain: 1000 } }
}

/**
 * Idle windows: at least 60 s in a full run (issue 8), and as long as the
 * ping interval, so that each connection's ping round falls in the window
 * once (libp2p pings every connection at the same moment); after a settle
 * that outlasts the start-up's DHT traffic and the last hang-up look (60 s
 * after subscribing, src/presence/hang-up.ts). --quick only checks that it works
 */
const IDLE_PLANS: Record<'full' | 'quick', IdlePlan> = {
  full: { contacts: [0, 100, 500], onlineCap: 50, contactsPerProcess: 10, settleS: 75, warmupS: 10, windowS: Math.max(60, DEFAULT_SETTINGS.pingInterval), sampleS: 10 },
  quick: { contacts: [0, 100], onlineCap: 10, contactsPerProcess: 10, settleS: 10, warmupS: 5, windowS: 20, sampleS: 5 }
}

async function main (): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, strict: false, options: { quick: { type: 'boolean', default: false }, large: { type: 'boolean', default: false }, contacts: { type: 'string' }, only: { type: 'string' }, clients: { type: 'string' } } })
  // other modes measure something else and write their own section of docs/BENCHMARKS.md
  if (positionals[0] === 'scale') return (await import('./scale.js')).scaleMain(BENCHMARKS_MD)
  if (positionals[0] === 'gateway') return (await import('./gateway.js')).gatewayMain(BENCHMARKS_MD)
  if (positionals[0] === 'bodies') return (await import('./bodies.js')).bodiesMain(values.quick === true)
  const mode = values.quick ? 'quick' : 'full'
  if (positionals[0] === 'relay') return relay(mode, values.clients)
  if (positionals.length > 0 && positionals[0] !== 'idle') throw new Error(`unknown bench ${positionals.join(' ')}: the named benches are \`idle\`, \`relay\`, \`scale\`, \`gateway\` and \`bodies\``)
  if (positionals[0] === 'idle') {
    if (typeof values.contacts !== 'string') return idle(IDLE_PLANS[mode], true)
    const contacts = values.contacts.split(',').map(Number)
    if (contacts.some(c => !Number.isInteger(c) || c < 0)) throw new Error(`--contacts takes contact counts separated by commas, like 0,100: not ${values.contacts}`)
    // a partial run is printed, not written over the section of the full one
    return idle({ ...IDLE_PLANS[mode], contacts }, false)
  }
  const plan = PLANS[mode]
  // one section alone: a sanity check of its baseline, printed and not written over the full run's figures
  const only = typeof values.only === 'string' ? values.only : undefined
  if (only != null && !SECTIONS.includes(only)) throw new Error(`--only takes one of ${SECTIONS.join(', ')}: not ${only}`)
  const wanted = (name: string): boolean => only == null || only === name
  const startedAt = new Date()
  const loadAtStart = loadavg()[0]
  const cleanup = new Cleanup()
  const log = (line: string): void => console.log(line)
  cleanup.install(HARD_LIMIT_MS, log)
  // a few start-ups at a time: more only slows each one down on 2 cores
  const ctx: BenchContext = { cleanup, log, concurrency: 4 }
  const rows: Row[] = []
  let failed = false
  /** One figure's failure is reported in its rows; the others still run */
  const section = async (title: string, figures: string[], measure: () => Promise<Row[]>): Promise<void> => {
    log(`\n== ${title}`)
    // every figure carries the load average around its measurement: the machine is shared
    const start = loadNow()
    try {
      const measured = await measure()
      rows.push(...measured.map(row => ({ ...row, load: { start, end: loadNow() } })))
    } catch (err: any) {
      if (cleanup.closing) throw err
      failed = true
      log(`  failed: ${err.message}`)
      rows.push(...figures.map(figure => ({ figure, unit: 'ms' as const, baseline: '', missing: `failed: ${err.message}`, load: { start, end: loadNow() } })))
    }
    log(`  load average ${rows[rows.length - 1]?.load?.start.toFixed(1)} → ${loadNow().toFixed(1)}`)
  }

  try {
    const sizes = { ...await recordSizes(), message: await messageEnvelopeSize() }
    log(`${mode} bench; signed presence record: ${sizes.open} bytes open, ${sizes.closed} bytes closed; message envelope ${sizes.message} bytes`)

    if (wanted('startup')) await section('start-up', STARTUP_FIGURES.slice(0, 2), async () => {
      const boot = await startup(ctx, plan.startups)
      return [
        { figure: STARTUP_FIGURES[0], unit: 'ms', baseline: 'raw node process start', pair: boot.alone },
        { figure: STARTUP_FIGURES[1], unit: 'ms', baseline: 'raw node process start, bootstrapped', pair: boot.joining }
      ]
    })
    if (wanted('startup')) await section('client commands', STARTUP_FIGURES.slice(2), async () => {
      const client = await clientCommands(ctx, plan.startups * 2)
      return [
        { figure: STARTUP_FIGURES[2], unit: 'ms', baseline: 'bare node process, one fetch of the API', pair: client.id },
        { figure: STARTUP_FIGURES[3], unit: 'ms', baseline: 'bare node process, one fetch of the API', pair: client.status }
      ]
    })
    if (wanted('presence')) await section('presence, 10 watchers, one process per node', ['presence notify, 10 watchers', 'offline fetch, mesh of 12', 'RSS per node, mesh of 12'], async () => {
      const ours = await oursMesh(ctx, 10, plan.changes, plan.fetchRounds)
      const raw = await rawMesh(ctx, ours.graph, plan.changes, plan.fetchRounds, sizes)
      return [
        { figure: 'presence notify, 10 watchers', unit: 'ms', baseline: 'a stream to each watcher with the same bytes, same topology', pair: { ours: ours.latency, raw: raw.latency } },
        { figure: 'offline fetch, mesh of 12', unit: 'ms', baseline: 'kad-dht get of a same-size value', pair: { ours: ours.fetch, raw: raw.fetch } },
        { figure: 'RSS per node, mesh of 12', unit: 'MiB', baseline: 'raw node in the same topology', pair: { ours: ours.rss, raw: raw.rss } }
      ]
    })
    const inProcess = ['presence notify, 10 watchers, one process', 'presence notify, 100 watchers, one process', 'presence notify, 10 watchers, one process, under load', 'presence notify, 10 watchers, one process, after the hang-ups']
    // `--only push`: these rows alone, without the process-per-node mesh
    if (wanted('presence') || wanted('push')) await section('presence, 10 and 100 watchers, all nodes in one process', inProcess.slice(0, 2), async () => [
      { figure: inProcess[0], unit: 'ms', baseline: 'a stream to each watcher with the same bytes, same topology', pair: await pushLatency(ctx, 10, plan.changes, sizes.open) },
      { figure: inProcess[1], unit: 'ms', baseline: 'a stream to each watcher with the same bytes, same topology', pair: await pushLatency(ctx, 100, plan.changes, sizes.open) }
    ])
    // the "under load, p99 stays under 100 ms": every core shared with a busy loop (its own section, for its own load figures)
    if (wanted('presence') || wanted('push')) await section('presence, 10 watchers in one process, a busy loop on each core', inProcess.slice(2), async () => [
      { figure: inProcess[2], unit: 'ms', baseline: 'the same, raw, each core shared with a busy loop too (goal: p99 < 100 ms)', pair: await underLoad(ctx, async () => await pushLatency(ctx, 10, plan.changes, sizes.open)) }
    ])
    // a change minutes after the last one: the watchers hung up meanwhile (design record 004), so its pushes dial
    if (wanted('presence') || wanted('push')) await section('presence, 10 watchers in one process, each change after the hang-ups', inProcess.slice(3), async () => [
      { figure: inProcess[3], unit: 'ms', baseline: 'the same, raw, its connections to the subscribers closed before each change', pair: await pushAfterRest(ctx, 10, plan.restedChanges, sizes.open) }
    ])
    if (values.large && wanted('presence')) {
      await section('presence, 50 watchers, one process per node', ['presence notify, 50 watchers', 'RSS per node, mesh of 52'], async () => {
        const ours = await oursMesh(ctx, 50, plan.changes / 2, 0)
        const raw = await rawMesh(ctx, ours.graph, plan.changes / 2, 0, sizes)
        return [
          { figure: 'presence notify, 50 watchers', unit: 'ms', baseline: 'a stream to each watcher with the same bytes, same topology', pair: { ours: ours.latency, raw: raw.latency } },
          { figure: 'RSS per node, mesh of 52', unit: 'MiB', baseline: 'raw node in the same topology', pair: { ours: ours.rss, raw: raw.rss } }
        ]
      })
    } else if (only == null) {
      rows.push({ figure: 'presence notify, 50 watchers', unit: 'ms', baseline: '', missing: 'not measured: needs --large and more than 2 cores (see below)' })
    }
    const messagingRows = ['message send → receipt, direct', 'message send → receipt, through a relay', 'messages/s on one connection', 'SIGKILL → watchers see closed']
    if (wanted('messaging')) await section('messaging and SIGKILL, 2 relays + 5 nodes, one process per node', messagingRows, async () => {
      const ours = await oursMessaging(ctx, plan.messaging)
      const raw = await rawMessaging(ctx, plan.messaging, sizes.message)
      return [
        { figure: messagingRows[0], unit: 'ms', baseline: 'round trip on a long-lived stream, direct, through IPC', pair: { ours: ours.direct, raw: raw.direct } },
        { figure: messagingRows[1], unit: 'ms', baseline: 'round trip on a long-lived stream, relay circuit, through IPC', pair: { ours: ours.relayed, raw: raw.relayed } },
        { figure: messagingRows[2], unit: 'msg/s', baseline: `echoes/s on a long-lived stream, ${plan.messaging.concurrency} in flight`, pair: { ours: ours.throughput, raw: raw.throughput } },
        { figure: messagingRows[3], unit: 'ms', baseline: 'SIGKILL → peer:disconnect (floor; ours adds willGrace 2 s)', pair: { ours: ours.kill, raw: raw.kill } }
      ]
    })

    const fastRows = ['message send() → receipt, in-process, direct', 'message send() → receipt, in-process, relayed', 'message POST /v1/messages → delivered, direct', 'message POST /v1/messages → delivered, vs an echo over IPC', 'messages/s in-process, one connection', 'recipient CPU per message', 'mailbox drain of 10,000: time', 'mailbox drain: rate']
    if (wanted('messaging')) await section('messaging goals, send() timed in-process and through the HTTP API: relay + 2 peers + 2 firewalled, one process per node', fastRows, async () => {
      const ours = await oursFast(ctx, plan.fast)
      const raw = await rawFast(ctx, plan.fast, sizes.message)
      return [
        { figure: fastRows[0], unit: 'µs', baseline: 'round trip on a long-lived stream, direct (goal ≤ ×1.5)', pair: { ours: ours.direct, raw: raw.direct }, goal: { maxRatio: 1.5 } },
        { figure: fastRows[1], unit: 'µs', baseline: 'round trip on a long-lived stream through the same relay (goal ≤ ×1.2)', pair: { ours: ours.relayed, raw: raw.relayed }, goal: { maxRatio: 1.2 } },
        { figure: fastRows[2], unit: 'µs', baseline: 'the same POST to a bare node:http server answering after a round trip on a long-lived stream (goal ≤ ×1.5)', pair: { ours: ours.http, raw: raw.http }, goal: { maxRatio: 1.5 } },
        { figure: fastRows[3], unit: 'µs', baseline: 'round trip on a long-lived stream, asked for over IPC by the bench (the baseline until 2026-12-03)', pair: { ours: ours.http, raw: raw.ipc } },
        { figure: fastRows[4], unit: 'msg/s', baseline: `pipelined echoes/s, ${plan.fast.concurrency} in flight (goal: ours ≥ 4,000)`, pair: { ours: ours.throughput, raw: raw.throughput }, goal: { minOurs: 4000 } },
        { figure: fastRows[5], unit: 'µs', baseline: 'the echoing process\'s CPU per echo', pair: { ours: ours.cpu, raw: raw.cpu } },
        { figure: fastRows[6].replace('10,000', plan.fast.drain.toLocaleString('en')), unit: 'ms', baseline: 'no raw counterpart: start → last message in the inbox', pair: { ours: ours.drainMs } },
        { figure: fastRows[7], unit: 'msg/s', baseline: 'no raw counterpart', pair: { ours: ours.drainRate } }
      ]
    })

    printTable(rows)
    // start-up has a section of its own, which `--only startup` rewrites too: it takes a few minutes, the full run much longer
    const startupRows = rows.filter(row => STARTUP_FIGURES.includes(row.figure))
    if (startupRows.length > 0 && (only == null || only === 'startup')) await writeStartupSection(BENCHMARKS_MD, startupRows, { mode, startedAt })
    // the presence figures alone replace their rows of the table; the others keep theirs
    if (only === 'presence') {
      await replaceRows(BENCHMARKS_MD, rows)
      log(`presence rows written to ${BENCHMARKS_MD}`)
    }
    if (only != null) return failed ? 1 : 0
    await writeMarkdown(BENCHMARKS_MD, rows.filter(row => !startupRows.includes(row)), { mode, startedAt, durationS: (Date.now() - startedAt.getTime()) / 1000, loadAtStart, sizes })
    log(`written to ${BENCHMARKS_MD}`)
    return failed ? 1 : 0
  } catch (err: any) {
    if (!cleanup.closing) console.error(`bench failed: ${err.stack ?? err.message}`)
    return 1
  } finally {
    await cleanup.teardown()
  }
}

async function idle (plan: IdlePlan, write: boolean): Promise<number> {
  const startedAt = new Date()
  const loadAtStart = loadavg()[0]
  const cleanup = new Cleanup()
  const log = (line: string): void => console.log(line)
  cleanup.install(IDLE_HARD_LIMIT_MS, log)
  try {
    const runs = await idleBench({ cleanup, log, concurrency: 4 }, plan)
    printIdle(runs)
    if (!write) return 0
    await writeIdleSection(BENCHMARKS_MD, runs, plan, { startedAt, durationS: (Date.now() - startedAt.getTime()) / 1000, loadAtStart })
    log(`written to the Idle cost section of ${BENCHMARKS_MD}`)
    return 0
  } catch (err: any) {
    if (!cleanup.closing) console.error(`idle bench failed: ${err.stack ?? err.message}`)
    return 1
  } finally {
    await cleanup.teardown()
  }
}

/**
 * Relay sizing: steps of clients (a full run: 50, 100, 200; about fifteen minutes on 2 cores). Each
 * step settles 90 s: the joins' DHT traffic and the hang-up looks (60 s) are over, so the window
 * measures clients at rest, not joining
 */
async function relay (mode: 'full' | 'quick', clients: unknown): Promise<number> {
  const { relaySizing, sizingMarkdown } = await import('./relay-sizing.js')
  const steps = typeof clients === 'string' ? clients.split(',').map(Number) : mode === 'quick' ? [20] : [50, 100, 200]
  if (steps.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= steps[i - 1]))) throw new Error(`--clients takes rising client counts separated by commas, like 50,100: not ${String(clients)}`)
  const plan = mode === 'quick' ? { steps, perProcess: 10, settleS: 10, windowS: 30 } : { steps, perProcess: 25, settleS: 90, windowS: 60 }
  const startedAt = new Date()
  const cleanup = new Cleanup()
  const log = (line: string): void => console.log(line)
  cleanup.install(IDLE_HARD_LIMIT_MS, log)
  try {
    const measured = await relaySizing(cleanup, log, plan)
    log(`\n${sizingMarkdown(measured, plan, startedAt)}`)
    return 0
  } catch (err: any) {
    if (!cleanup.closing) console.error(`relay bench failed: ${err.stack ?? err.message}`)
    return 1
  } finally {
    await cleanup.teardown()
  }
}

process.exitCode = await main()
