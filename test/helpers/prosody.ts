/**
 * Debian's Prosody, started by a test with a throwaway configuration on 127.0.0.1: a c2s port for
 * real XMPP clients (@xmpp/client), a component port for the gateway, no s2s, no TLS, no HTTP.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { createServer, connect } from 'node:net'
import { promisify } from 'node:util'
import { client, xml } from '@xmpp/client'
import { tempDir, waitFor } from './temp.js'
import type { XmppEntity } from '@xmpp/component'
import type { Element } from '@xmpp/xml'

const run = promisify(execFile)

/**
 * Whether prosody can run here: installed, or installed now with apt-get (as `.ci/run` does).
 * Resolves with the reason when it cannot.
 */
export async function ensureProsody (): Promise<string | undefined> {
  const present = async (): Promise<boolean> => run('sh', ['-c', 'command -v prosody && command -v prosodyctl']).then(() => true, () => false)
  if (await present()) return undefined
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'prosody'], { timeout: 300_000 })
  } catch (err: any) {
    return `prosody is not installed and apt-get install -y prosody failed: ${String(err.stderr ?? err.message).trim().split('\n').pop() ?? ''}`
  }
  return await present() ? undefined : 'prosody is still missing after apt-get install'
}

export interface Prosody {
  domain: string
  componentDomain: string
  secret: string
  c2s: number
  componentService: string
  /** What the server logged (warnings and errors), for a test's failure message */
  log(): Promise<string>
  stop(): Promise<void>
}

async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

async function accepts (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) })
    socket.on('error', () => resolve(false))
  })
}

export async function startProsody (users: string[], password = 'pw'): Promise<Prosody> {
  const dir = await tempDir('pmesh-prosody-')
  const [c2s, componentPort] = [await freePort(), await freePort()]
  const secret = `secret-${Math.random().toString(36).slice(2)}`
  await mkdir(`${dir.path}/data`)
  const config = `${dir.path}/prosody.cfg.lua`
  await writeFile(config, `
pidfile = "${dir.path}/prosody.pid"
run_as_root = true
data_path = "${dir.path}/data"
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2s} }
component_ports = { ${componentPort} }
component_interfaces = { "127.0.0.1" }
http_ports = {}
https_ports = {}
c2s_direct_tls_ports = {}
legacy_ssl_ports = {}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
storage = "internal"
modules_enabled = { "roster", "saslauth", "disco", "ping" }
modules_disabled = { "s2s", "tls", "offline", "posix" }
log = { warn = "${dir.path}/prosody.log" }
VirtualHost "localhost"
Component "mesh.localhost"
  component_secret = "${secret}"
`)
  for (const user of users) await run('prosodyctl', ['--config', config, 'register', user, 'localhost', password], { timeout: 30_000 })
  const child: ChildProcess = spawn('prosody', ['--config', config, '-F'], { stdio: 'ignore' })
  await waitFor(async () => await accepts(c2s) && await accepts(componentPort), 20_000, 'prosody to listen')
  return {
    domain: 'localhost',
    componentDomain: 'mesh.localhost',
    secret,
    c2s,
    componentService: `xmpp://127.0.0.1:${componentPort}`,
    log: async () => readFile(`${dir.path}/prosody.log`, 'utf8').catch(() => '(no log)'),
    stop: async () => {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5_000))])
      if (child.exitCode == null) child.kill('SIGKILL')
      await dir.remove()
    }
  }
}

/** A real XMPP client, online (initial presence sent), keeping every stanza it receives */
export interface XmppUser {
  jid: string
  entity: XmppEntity
  received: Element[]
  next(match: (stanza: Element) => boolean, timeoutMs?: number, what?: string): Promise<Element>
  send(element: Element): Promise<void>
  stop(): Promise<void>
}

export async function xmppUser (prosody: Prosody, username: string, password = 'pw'): Promise<XmppUser> {
  const entity = client({ service: `xmpp://127.0.0.1:${prosody.c2s}`, domain: prosody.domain, username, password, resource: 'test' })
  const received: Element[] = []
  entity.on('stanza', stanza => { received.push(stanza) })
  entity.on('error', () => {})
  // a refused login (seen once as a reset connection at four test files at a time) says what the server saw
  await entity.start().catch(async (err: Error) => {
    throw new Error(`${username}'s XMPP login to 127.0.0.1:${prosody.c2s} failed: ${err.message}; prosody logged: ${await prosody.log()}`, { cause: err })
  })
  // as real clients do: a resource that asked for its roster is an "interested resource", the
  // one the server gives subscription answers to (RFC 6121 §3.1.6)
  await entity.send(xml('iq', { type: 'get', id: 'roster-1' }, xml('query', { xmlns: 'jabber:iq:roster' })))
  await waitFor(() => received.some(stanza => stanza.is('iq') && stanza.attrs.id === 'roster-1'), 10_000, 'the roster')
  await entity.send(xml('presence'))
  const taken = new Set<Element>()
  return {
    jid: `${username}@${prosody.domain}`,
    entity,
    received,
    // the first matching stanza no earlier call returned
    next: async (match, timeoutMs = 20_000, what = 'a stanza') => {
      const found = await waitFor(() => received.find(stanza => !taken.has(stanza) && match(stanza)), timeoutMs, what)
      taken.add(found)
      return found
    },
    send: async element => entity.send(element),
    stop: async () => { await entity.stop().catch(() => {}) }
  }
}
