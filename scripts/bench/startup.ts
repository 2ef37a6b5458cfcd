/**
 * The "Start-up" section of docs/BENCHMARKS.md (start-up itself is timed in
 * figures.ts), and a thin client command's wall time: `pmesh id` and `pmesh status` against a
 * running node, from spawn to exit, through the installed launcher
 * (bin/pmesh, which picks the bundled Node). The baseline is the floor any
 * client pays: a bare Node process that makes the same one HTTP request to
 * the same API. Ours and the baseline alternate, so noise hits both alike.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { PMESH, startProc, stopChild } from '../mesh/procs.js'
import { summarize } from '../mesh/stats.js'
import { machine, markdownRows, writeSection, type Row } from './report.js'
import type { BenchContext, Pair } from './figures.js'

/** The command a user runs: the shell launcher, not `node bin/pmesh.js` */
const LAUNCHER = fileURLToPath(new URL('../../../bin/pmesh', import.meta.url))
/** A client command that takes longer than this has hung: the bench records it as failed */
const COMMAND_TIMEOUT_MS = 30_000

/** Spawn → exit of one command; it must exit 0 */
async function wallMs (command: string, args: string[]): Promise<number> {
  const t0 = performance.now()
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-2_000) })
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS)
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  clearTimeout(timer)
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)
  return performance.now() - t0
}

export async function clientCommands (ctx: BenchContext, samples: number): Promise<{ id: Pair, status: Pair }> {
  const home = join(await ctx.cleanup.tempDir('pmesh-bench-client-'), 'home')
  const node = await startProc(ctx.cleanup, PMESH, ['start', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
  try {
    const token = (await readFile(join(home, 'api-token'), 'utf8')).trim()
    const api = String(node.info.api)
    // the baseline's request, as the client makes it: fetch with the bearer token, the body read
    const bare = (path: string): string[] => ['-e', `fetch(${JSON.stringify(api + path)}, { headers: { Authorization: 'Bearer ${token}' } }).then(r => r.text())`]
    const times = { id: [] as number[], status: [] as number[], bareId: [] as number[], bareStatus: [] as number[] }
    // one of each first, not counted: the page cache holds the files afterwards, as for a user
    await wallMs(LAUNCHER, ['id', '--home', home])
    await wallMs(process.execPath, bare('/v1/id'))
    for (let i = 0; i < samples; i++) {
      times.id.push(await wallMs(LAUNCHER, ['id', '--home', home]))
      times.bareId.push(await wallMs(process.execPath, bare('/v1/id')))
      times.status.push(await wallMs(LAUNCHER, ['status', '--home', home]))
      times.bareStatus.push(await wallMs(process.execPath, bare('/v1/presence')))
    }
    const result = {
      id: { ours: summarize(times.id), raw: summarize(times.bareId) },
      status: { ours: summarize(times.status), raw: summarize(times.bareStatus) }
    }
    ctx.log(`  medians of ${samples}: pmesh id ${result.id.ours?.p50} ms (bare fetch ${result.id.raw?.p50}), pmesh status ${result.status.ours?.p50} ms (bare fetch ${result.status.raw?.p50})`)
    return result
  } finally {
    await stopChild(node.child)
  }
}

/** The figures `npm run bench` (or `-- --only startup`) measured of start-up and client commands, with how each is taken */
export async function writeStartupSection (path: string, rows: Row[], run: { mode: string, startedAt: Date }): Promise<void> {
  await writeSection(path, 'startup', `## Start-up and client commands

Written by \`npm run bench\` and by \`npm run bench -- --only startup\` (a few minutes) — ${run.startedAt.toISOString()}, ${run.mode} run,
${machine()}; load average ${loadavg()[0].toFixed(1)} at the end. Ratio = ours / baseline.

${markdownRows(rows)}

- **Start-up**: spawn → the first stdout line of \`pmesh start --json\`, printed once it listens, has
  signed and gossiped its presence and serves its API, for a fresh node alone and for one joining a
  running node; beside a raw libp2p node process (scripts/bench/raw-node.ts, the same libp2p options)
  started the same way; ours and raw alternate. A joining node is a DHT client: it first waits to
  meet the DHT server it bootstraps from (at most 5 s), then signs and gossips its first record; no
  node waits for that record's DHT put (afterStart() in src/presence/presence.ts). Ours runs from the
  command's esbuild bundle (dist/cli: a few dozen files), the raw node from its ~600 modules one by
  one: loading them is most of its figure, and what the bundle halved (docs/design/020-start-up.md;
  before the bundle, ours was ×1.36–1.42 of raw).
- **Client commands**: spawn → exit of \`pmesh id\` and \`pmesh status\` through the \`pmesh\`
  launcher (bin/pmesh, which runs the bundled Node) against a running node; baseline: a bare
  \`node -e "fetch(…)"\` making the same one request with the token. A client command loads only the
  command it runs, the API client and its route table (src/cli/main.ts, src/api/endpoints.ts), a
  few small chunks of the bundle (9 for \`pmesh id\`, a dozen modules), none of libp2p.`)
}

/** The figures of the section, in order: two start-ups, two client commands */
export const STARTUP_FIGURES = ['start-up, fresh node alone', 'start-up, joining a running node', 'client command `pmesh id`', 'client command `pmesh status`']
