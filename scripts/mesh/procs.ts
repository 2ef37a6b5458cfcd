/**
 * The child processes and temporary directories of one run, and their
 * teardown. Every process and directory is registered here, and teardown runs
 * once whichever way the run ends: normally, on an error, on SIGINT/SIGTERM/
 * SIGHUP, or at a hard deadline, so that no node outlives the run.
 */
import { spawn, fork, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const PMESH = fileURLToPath(new URL('../../../bin/pmesh.js', import.meta.url))

/** pmesh stops within 2 s of SIGTERM; past this we stop waiting and SIGKILL */
const STOP_GRACE_MS = 4_000

export interface Proc {
  child: ChildProcess
  /** The JSON object the program printed as its first stdout line */
  info: any
  /** From spawn to that line, in ms */
  startMs: number
  exited: Promise<number | null>
  stderr(): string
}

export class Cleanup {
  private readonly procs = new Set<ChildProcess>()
  private readonly dirs = new Set<string>()
  private tearing?: Promise<void>

  /**
   * Tear down, then exit, on a signal (130) or at `deadlineMs` (3; none if
   * undefined). A second signal kills at once: the user is impatient.
   */
  install (deadlineMs: number | undefined, log: (line: string) => void): void {
    const interrupt = (why: string, code: number): void => {
      if (this.tearing != null) {
        this.killNow()
        process.exit(code)
      }
      log(`${why}: stopping every node and removing temporary homes…`)
      this.teardown().finally(() => process.exit(code))
    }
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => interrupt(signal, 130))
    if (deadlineMs != null) setTimeout(() => interrupt(`hard time limit of ${Math.round(deadlineMs / 1000)} s reached`, 3), deadlineMs).unref()
    // last resort when something calls process.exit() on its own: nothing can be awaited here
    process.on('exit', () => this.killNow())
  }

  /** True once teardown began: processes ending now were stopped by us */
  get closing (): boolean {
    return this.tearing != null
  }

  async tempDir (prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    this.dirs.add(dir)
    return dir
  }

  track (child: ChildProcess): void {
    this.procs.add(child)
    child.once('exit', () => this.procs.delete(child))
  }

  /** Stop every process (SIGTERM, then SIGKILL), then remove the directories; runs once */
  async teardown (): Promise<void> {
    this.tearing ??= (async () => {
      await Promise.all([...this.procs].map(async child => stopChild(child, 'SIGTERM')))
      await Promise.all([...this.dirs].map(async dir => rm(dir, { recursive: true, force: true })))
      this.dirs.clear()
    })()
    return this.tearing
  }

  private killNow (): void {
    for (const child of this.procs) child.kill('SIGKILL')
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true })
    this.dirs.clear()
  }
}

/** Send `signal`, wait for the exit, SIGKILL after the grace period */
export async function stopChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/**
 * Start a program that prints a JSON line when it is ready (`pmesh start
 * --json`, the raw baseline node), and time how long that took. With `ipc`
 * the child gets an IPC channel (fork), used by the raw nodes; `nodeArgs` go
 * to Node itself (a larger heap); `onStderr` sees each stderr line (progress).
 */
export async function startProc (cleanup: Cleanup, script: string, args: string[], options: { ipc?: boolean, timeoutMs?: number, nodeArgs?: string[], onStderr?: (line: string) => void } = {}): Promise<Proc> {
  const t0 = performance.now()
  const nodeArgs = options.nodeArgs ?? []
  const child = options.ipc === true
    ? fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: options.nodeArgs ?? process.execArgv })
    : spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  cleanup.track(child)
  let stderr = ''
  child.stderr?.on('data', chunk => { stderr = (stderr + chunk).slice(-4_000) })
  if (options.onStderr != null) createInterface({ input: child.stderr! }).on('line', options.onStderr)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  // starting 50 nodes on a loaded 2-core machine, one start-up took over 30 s
  const timeoutMs = options.timeoutMs ?? 90_000
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const line = await Promise.race([
      new Promise<string>(resolve => createInterface({ input: child.stdout! }).once('line', resolve)),
      exited.then(code => { throw new Error(`${script} exited with ${code}: ${stderr.trim()}`) }),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${script} printed nothing in ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs)
      })
    ])
    return { child, info: JSON.parse(line), startMs: performance.now() - t0, exited, stderr: () => stderr }
  } catch (err) {
    await stopChild(child, 'SIGKILL')
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** Resident set size of a process in bytes (Linux /proc), undefined elsewhere or once it is gone */
export async function rssBytes (pid: number | undefined): Promise<number | undefined> {
  if (pid == null) return undefined
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
    return kib == null ? undefined : Number(kib) * 1024
  } catch {
    return undefined
  }
}

/** Run `task` over `items` with at most `limit` at a time: 2 cores choke on 50 simultaneous start-ups */
export async function inBatches<T, R> (items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Poll `check` every 100 ms until it is truthy; throws after `timeoutMs` */
export async function waitUntil<T> (check: () => Promise<T> | T, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value != null && value !== false) return value as NonNullable<T>
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
