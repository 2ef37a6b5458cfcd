/**
 * `npm test` after the build: the lint, the web app's type-check and the
 * test files run side by side instead of one after another, and the command
 * fails if any of them fails. Most test files wait on sockets and timers,
 * not on the CPU, so mocha runs four at a time beside them; eslint and
 * `tsc -p app` (which only checks types: esbuild bundles the app) fill the
 * gaps. Mocha's output streams as it comes; the other two are buffered and
 * printed whole at the end, so their lines do not interleave with it.
 * Arguments are passed to mocha: `node dist/scripts/test.js --jobs 2`.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const require = createRequire(import.meta.url)

/**
 * Four files at a time: on two cores, two left the CPU idle while tests
 * waited on sockets and timers; four keeps both busy once the tests that
 * failed under load were made to wait on what they need (docs/design/018-test-speed.md)
 */
const DEFAULT_JOBS = '4'

interface Job { name: string, bin: string, args: string[], stream: boolean }
interface Outcome { name: string, code: number | null, output: string, ms: number }

/**
 * The JavaScript entry of a package's command, run on this Node rather than
 * through a shell; found beside its package.json, since eslint's exports
 * hide its bin file from require.resolve
 */
function binOf (pkg: string, bin: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`, { paths: [root] })), bin)
}

/**
 * The test files' environment: libp2p's loggers check for a terminal (a
 * system call) each time one is made, for every stream of every node in the
 * tests, unless DEBUG_COLORS decides it once (bin/pmesh.js does the same)
 */
const testEnv = { ...process.env, DEBUG_COLORS: process.env.DEBUG_COLORS ?? (process.stderr.isTTY ? 'true' : 'false') }

function run (job: Job): Promise<Outcome> {
  const started = Date.now()
  return new Promise(resolve => {
    const child = spawn(process.execPath, [job.bin, ...job.args], {
      cwd: root,
      stdio: job.stream ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: job.stream ? testEnv : { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }
    })
    const chunks: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk))
    const finish = (code: number | null, output: string): void => {
      resolve({ name: job.name, code, output, ms: Date.now() - started })
    }
    // a command that cannot even start is a failure to report, not a crash of the runner
    child.on('error', err => { finish(null, `${chunks.join('')}${String(err)}\n`) })
    child.on('close', code => { finish(code, Buffer.concat(chunks).toString()) })
  })
}

function mochaArgs (extra: string[]): string[] {
  const hasJobs = extra.some(arg => arg === '--jobs' || arg.startsWith('--jobs=') || arg === '-j')
  return ['--parallel', ...(hasJobs ? [] : ['--jobs', DEFAULT_JOBS]), ...extra]
}

const jobs: Job[] = [
  { name: 'mocha', bin: binOf('mocha', 'bin/mocha.js'), args: mochaArgs(process.argv.slice(2)), stream: true },
  { name: 'eslint', bin: binOf('eslint', 'bin/eslint.js'), args: ['.'], stream: false },
  { name: 'tsc -p app', bin: binOf('typescript', 'bin/tsc'), args: ['-p', 'app'], stream: false }
]

const outcomes = await Promise.all(jobs.map(run))
for (const outcome of outcomes.filter(o => o.output.trim() !== '')) {
  console.log(`\n── ${outcome.name} ──\n${outcome.output.trimEnd()}`)
}
console.log('')
for (const { name, code, ms } of outcomes) {
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${(ms / 1000).toFixed(1)} s${code === 0 ? '' : `, exit ${String(code)}`})`)
}
process.exitCode = outcomes.every(o => o.code === 0) ? 0 : 1
