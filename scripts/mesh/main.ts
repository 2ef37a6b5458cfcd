/**
 * `npm run mesh -- [--nodes N] [--relays R] [--firewalled F] [--scenario NAME]
 * [--changes K] [--messages M] [--keep] [--json]`: the whole system in one
 * command. Starts a community mesh of real `pmesh start` processes on
 * 127.0.0.1 (by default seven: two relays, three peers and two firewalled
 * nodes, which only a relay joins), waits until it is connected, runs
 * scenarios and prints what the watchers and the message recipients saw.
 * Two relays, not one: a firewalled node keeps a reservation on two when
 * two exist, so failover can be tried on the default mesh.
 */
import { parseArgs } from 'node:util'
import { Mesh, presentityOf, watchersOf } from './mesh.js'
import { Cleanup } from './procs.js'
import { SCENARIOS, runScenario, type ScenarioResult } from './scenarios.js'
import { formatSummary, textTable } from './stats.js'

const USAGE = `usage: npm run mesh -- --nodes N [--relays R] [--firewalled F] [--scenario ${['all', ...Object.keys(SCENARIOS)].join('|')}] [--changes K] [--messages M] [--keep] [--json]`
/** Without --keep nothing may run longer than this, whatever hangs */
const HARD_LIMIT_MS = 10 * 60_000

function options (): { nodes: number, relays: number, firewalled: number, scenarios: string[], changes: number, messages: number, keep: boolean, json: boolean } {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '7' },
      relays: { type: 'string', default: '2' },
      firewalled: { type: 'string', default: '2' },
      scenario: { type: 'string', default: 'all' },
      changes: { type: 'string', default: '10' },
      messages: { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  const count = (name: string, value: string, min: number, max: number): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`)
    return n
  }
  if (values.help) throw new Error('')
  const nodes = count('nodes', values.nodes, 3, 60)
  const relays = count('relays', values.relays, 0, nodes - 2)
  const firewalled = count('firewalled', values.firewalled, 0, nodes - Math.max(1, relays) - 1)
  if (firewalled > 0 && relays === 0) throw new Error('--firewalled needs --relays (at least 1): firewalled nodes are reached through relays')
  const scenario = values.scenario
  if (scenario !== 'all' && !(scenario in SCENARIOS)) throw new Error(`unknown scenario "${scenario}"`)
  return {
    nodes,
    relays,
    firewalled,
    scenarios: scenario === 'all' ? Object.keys(SCENARIOS) : [scenario],
    changes: count('changes', values.changes, 1, 1000),
    messages: count('messages', values.messages, 1, 10_000),
    keep: values.keep,
    json: values.json
  }
}

function printResults (results: ScenarioResult[]): void {
  const rows = results.flatMap(r => [
    ...Object.entries(r.figures).map(([what, s]) => [r.name, what, formatSummary(s)]),
    ...Object.entries(r.checks).map(([what, ok]) => [r.name, what, ok ? 'yes' : 'NO']),
    ...(r.status === 'skipped' ? [[r.name, 'skipped', 'see the note below']] : [])
  ])
  console.log(`\n${textTable(['scenario', 'what', 'result'], rows)}\n`)
  for (const r of results) for (const note of r.notes) console.log(`${r.name}: ${note}`)
}

async function main (): Promise<number> {
  let opts
  try {
    opts = options()
  } catch (err: any) {
    console.error(err.message !== '' ? `${err.message}\n${USAGE}` : USAGE)
    return 2
  }
  // with --json stdout carries only the final document; the progress log goes to stderr
  const log = (line: string): void => { (opts.json ? console.error : console.log)(line) }
  const cleanup = new Cleanup()
  cleanup.install(opts.keep ? undefined : HARD_LIMIT_MS, log)
  try {
    log(`starting ${opts.nodes} pmesh nodes (${Math.max(1, opts.relays)} ${opts.relays > 0 ? 'relay' : 'bootstrap'}, ${opts.firewalled} firewalled)…`)
    const t0 = performance.now()
    const mesh = await Mesh.start(cleanup, { nodes: opts.nodes, relays: opts.relays, firewalled: opts.firewalled, log })
    await mesh.ready()
    log(`mesh ready in ${Math.round(performance.now() - t0)} ms; open connections per node: ${(await mesh.peerCounts()).join(' ')}`)
    log(`presentity: ${presentityOf(mesh).name}; watchers: ${watchersOf(mesh).map(w => w.index).join(', ')}`)

    const results: ScenarioResult[] = []
    for (const name of opts.scenarios) {
      log(`\n== ${name}`)
      const result = await runScenario(name, { mesh, log, changes: opts.changes, messages: opts.messages })
      log(`  ${result.status}`)
      results.push(result)
    }
    if (opts.json) console.log(JSON.stringify({ nodes: opts.nodes, relays: opts.relays, firewalled: opts.firewalled, unit: 'ms', scenarios: results }, null, 2))
    else printResults(results)

    if (opts.keep) await keep(mesh, log)
    return results.some(r => r.status === 'failed') ? 1 : 0
  } catch (err: any) {
    // once teardown began (Ctrl-C), a start-up it cut short is no failure worth reporting
    if (!cleanup.closing) console.error(`mesh failed: ${err.message}`)
    return 1
  } finally {
    await cleanup.teardown()
  }
}

/** Bring back whatever the scenarios stopped, show how to reach each node, wait for Ctrl-C */
async function keep (mesh: Mesh, log: (line: string) => void): Promise<void> {
  for (const node of mesh.nodes) {
    if (!node.running) await mesh.launch(node)
    // nothing reads the event streams any more: close them rather than let them pile up
    node.detach()
  }
  log('\nthe mesh keeps running; try, from another shell:')
  for (const node of mesh.nodes) log(`  npx pmesh id --home ${node.home}    # ${node.name}`)
  const presentity = presentityOf(mesh)
  log(`  npx pmesh watch ${presentity.uri} --home ${mesh.nodes[0].home}`)
  log(`  npx pmesh status set busy --home ${presentity.home}`)
  // a firewalled recipient shows a relayed delivery; without one, any other node
  const recipient = mesh.others.find(n => n.role === 'firewalled') ?? watchersOf(mesh)[0] ?? mesh.nodes[0]
  log(`  npx pmesh send im:${recipient.peerId} "hello" --home ${presentity.home}`)
  log(`  npx pmesh inbox --home ${recipient.home}`)
  log('Ctrl-C stops every node and removes their homes.')
  // the signal handler in Cleanup tears down and exits; until then, just stay alive
  await new Promise(() => setInterval(() => {}, 60_000))
}

process.exitCode = await main()
