/**
 * Run the real `pmesh` binary in child processes, as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const PMESH = fileURLToPath(new URL('../../../bin/pmesh.js', import.meta.url))

export interface CliResult { code: number | null, stdout: string, stderr: string }

/** Run one `pmesh` command to completion */
export async function pmesh (args: string[], timeoutMs = 20_000): Promise<CliResult> {
  const child = spawn(process.execPath, [PMESH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += chunk })
  child.stderr.on('data', chunk => { stderr += chunk })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

export interface RunningNode {
  child: ChildProcess
  info: { uri: string, peerId: string, addresses: string[], api: string }
  /** Resolves with the exit code when the process ends */
  exited: Promise<number | null>
}

/**
 * `pmesh start --json …` in the background; resolves once it printed its info line. It starts in
 * about a second; the bound is for a 2-core machine running two test files at once under other load
 * (20 s was seen to pass). A node that did not start in time is killed, so that its home can go.
 */
export async function pmeshStart (home: string, extra: string[] = [], timeoutMs = 45_000): Promise<RunningNode> {
  const child = spawn(process.execPath, [PMESH, 'start', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', chunk => { stderr += chunk })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  const lines = createInterface({ input: child.stdout! })
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const first = await Promise.race([
      new Promise<string>(resolve => lines.once('line', resolve)),
      exited.then(code => { throw new Error(`pmesh start exited with ${code}: ${stderr}`) }),
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`pmesh start printed nothing in ${timeoutMs} ms: ${stderr}`)), timeoutMs) })
    ])
    return { child, info: JSON.parse(first), exited }
  } catch (err) {
    child.kill('SIGKILL')
    await exited
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** Stop a background node: SIGTERM, or SIGKILL after `graceMs` */
export async function stopProcess (node: RunningNode | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<number | null> {
  if (node == null || node.child.exitCode != null || node.child.signalCode != null) return node?.child.exitCode ?? null
  node.child.kill(signal)
  const timer = setTimeout(() => node.child.kill('SIGKILL'), graceMs)
  const code = await node.exited
  clearTimeout(timer)
  return code
}

/** A long-running `pmesh` command (e.g. watch) whose stdout lines are collected as they come */
export interface StreamingCommand {
  child: ChildProcess
  lines: string[]
  /** Resolves with the first line (already printed or still to come) that matches */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
  exited: Promise<number | null>
}

export function pmeshStream (args: string[]): StreamingCommand {
  const child = spawn(process.execPath, [PMESH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const waiters = new Set<() => void>()
  createInterface({ input: child.stdout! }).on('line', line => {
    lines.push(line)
    for (const wake of waiters) wake()
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  return {
    child,
    lines,
    exited,
    waitForLine: async (match, timeoutMs = 15_000) => new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(match)
        if (found == null) return
        cleanup()
        resolve(found)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no matching line within ${timeoutMs} ms; got: ${lines.join('\n')}`))
      }, timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  }
}
