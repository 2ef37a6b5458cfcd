/**
 * New messages and presence requests brought to the desktop while
 * `pmesh start` runs: `--on-message CMD` runs a program of the user's for
 * each, `--notify` shows a notification through notify-send. Both read the
 * node's own event stream (/v1/events), as any client of the API does.
 *
 * What a message says is a stranger's text: it reaches the program as
 * arguments and environment variables of a process started without a
 * shell, and notify-send as an escaped body after `--`, so no text can
 * become a command, an option or markup.
 */
import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { UsageError } from './errors.js'
import type { ApiClient } from '../api/client.js'
import type { ApiEvent } from '../api/index.js'

/** Programs running at once: a burst of messages does not become a burst of processes */
const MAX_RUNNING = 4
/** A program still running after this is killed */
const RUN_TIMEOUT_MS = 30_000
const SUMMARY_CHARS = 120

export interface DesktopOptions {
  /** A program and its first arguments, split at spaces (no shell) */
  onMessage?: string
  notify?: boolean
  warn: (line: string) => void
}

export interface Alert {
  kind: 'message' | 'request'
  /** `im:` URI of a message's sender, `pres:` URI of a request's */
  from: string
  summary: string
  id?: string
}

/** What an event means to the person at the desktop, if anything */
export function alertOf (event: ApiEvent): Alert | undefined {
  const data = event.data as Record<string, any>
  if (event.type === 'im:message') {
    const body = data.text != null ? String(data.text) : `[${String(data.contentType)}, ${Number(data.size)} bytes]`
    return { kind: 'message', from: String(data.from), id: String(data.id), summary: clean(data.subject != null ? `${String(data.subject)}: ${body}` : body) }
  }
  if (event.type === 'presence:request') {
    return { kind: 'request', from: String(data.uri), summary: 'asks to see your presence (pmesh requests approve|deny URI)' }
  }
  return undefined
}

/** One line of at most SUMMARY_CHARS characters, without control characters */
function clean (text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim()
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line
}

/** notify-send shows a subset of HTML in the body */
function escapeMarkup (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

async function executable (path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false)
}

/** A program's path: as given when it names a directory, else the first on PATH */
async function findProgram (name: string): Promise<string | undefined> {
  if (name.includes('/')) return await executable(name) ? name : undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && await executable(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/**
 * Check the options before the node starts (a program that cannot run is a
 * bad command line); resolves with what starts the delivery once the API
 * serves, which itself resolves with what stops it, or with nothing when
 * there is nothing to deliver to: a node without alerts opens no event stream
 * to itself (its fetch is ~0.1 s of start-up CPU, undici set up for nothing)
 */
export async function prepareDesktop (options: DesktopOptions): Promise<((client: ApiClient) => Promise<() => void>) | undefined> {
  let command: string[] | undefined
  if (options.onMessage != null) {
    const words = options.onMessage.trim().split(/\s+/).filter(word => word !== '')
    const program = words.length > 0 ? await findProgram(words[0]) : undefined
    if (program == null) throw new UsageError(`--on-message: "${words[0] ?? ''}" is not a program that can run`)
    command = [program, ...words.slice(1)]
  }
  const notifySend = options.notify === true ? await findProgram('notify-send') : undefined
  if (options.notify === true && notifySend == null) options.warn('--notify: notify-send is not installed (Debian: libnotify-bin), so no notification will show')
  if (command == null && notifySend == null) return undefined

  return async client => {
    const controller = new AbortController()
    const events = await client.events({ signal: controller.signal })
    let running = 0
    let warned = false
    const launch = (file: string, args: string[], env: Record<string, string> = {}): void => {
      if (running >= MAX_RUNNING) {
        if (!warned) options.warn(`--on-message/--notify: ${MAX_RUNNING} still running, skipping until one ends`)
        warned = true
        return
      }
      running++
      const child = spawn(file, args, { stdio: 'ignore', env: { ...process.env, ...env } })
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
      child.once('error', err => { options.warn(`${file}: ${err.message}`) })
      child.once('close', () => {
        running--
        warned = false
        clearTimeout(timer)
      })
    }
    const deliver = async (): Promise<void> => {
      for await (const event of events) {
        const alert = alertOf(event)
        if (alert == null) continue
        if (command != null) {
          launch(command[0], [...command.slice(1), alert.from, alert.summary], { PMESH_EVENT: alert.kind, PMESH_FROM: alert.from, PMESH_SUMMARY: alert.summary, PMESH_MESSAGE_ID: alert.id ?? '' })
        }
        if (notifySend != null) {
          const who = alert.from.length > 24 ? `${alert.from.slice(0, 14)}…${alert.from.slice(-6)}` : alert.from
          launch(notifySend, ['--app-name=pmesh', '--', alert.kind === 'message' ? `Message from ${who}` : `Presence request from ${who}`, escapeMarkup(alert.summary)])
        }
      }
    }
    deliver().catch(err => { if (!controller.signal.aborted) options.warn(`desktop alerts stopped: ${String(err.message)}`) })
    return () => { controller.abort() }
  }
}
