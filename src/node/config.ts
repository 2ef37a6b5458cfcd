/**
 * Node settings. The same names are used by the `pmesh start` flags and by
 * `config.json` in the node's home; flags win over the file, the file over
 * the defaults.
 */
import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidConfigError } from './errors.js'
import { isLimitSection, LIMIT_SECTION_NAMES, validateLimitSection, type LimitSections } from './config-limits.js'

/**
 * `listen` … `dhtServer` are the `pmesh start` flags' names; the limit
 * sections (`inbox`, `mailbox`, …: src/node/config-limits.ts) are config.json
 * objects whose keys not given keep their service's defaults.
 */
export interface NodeSettings extends LimitSections {
  /** Multiaddrs to listen on. Default: `/ip4/0.0.0.0/tcp/0` (all interfaces, port chosen by the OS) */
  listen: string[]
  /** Multiaddrs of bootstrap peers, each ending in `/p2p/<peerId>`. Default: none */
  bootstrap: string[]
  /** Also serve as a community relay (circuit-relay v2 server). Default: false */
  relay: boolean
  /** Port of the local control API on 127.0.0.1; 0 lets the OS choose. Default: 0 */
  apiPort: number
  /** Accept no inbound direct connections; be reached through relay reservations. Default: false */
  firewalled: boolean
  /** Firewalled, and dial only relays directly: contacts never learn this node's IP address. Default: false */
  private: boolean
  /**
   * Seconds between libp2p's pings on each connection. They are what notices a
   * peer that went silent (asleep, network gone) and they cost bytes on every
   * connection: see "Idle cost budget" in docs/ARCHITECTURE.md. Default: 120,
   * and 30 on a relay (`RELAY_PING_INTERVAL_S`): relays hold the wills of the
   * nodes that use them, so theirs is the ping that finds a sleeping node
   */
  pingInterval: number
  /**
   * Answer other nodes' DHT queries and hold their records (a DHT server), or
   * only ask (a client). `auto`: serve when this node is a community relay or
   * has no bootstrap peers (it is where others bootstrap from); a desktop
   * node that joins through bootstrap peers asks them, and a firewalled or
   * private node never serves. See "DHT servers and clients" in
   * docs/ARCHITECTURE.md. Default: `auto`
   */
  dhtServer: boolean | 'auto'
  /**
   * Community invitations (`pmesh invite --community` on a relay): their
   * relays become bootstrap peers. Default: none
   */
  join: string[]
}

/**
 * A relay's ping interval unless set: a silent node is seen closed within
 * about 30 + 9 s instead of 120 + 9 s, for 17 B/s per relay at each node
 * (the relay's pings, answered)
 */
export const RELAY_PING_INTERVAL_S = 30

/** Longest ping interval accepted: beyond an hour a silent peer would go unnoticed for too long */
const MAX_PING_INTERVAL_S = 3_600

export const DEFAULT_SETTINGS: Readonly<NodeSettings> = Object.freeze({
  listen: ['/ip4/0.0.0.0/tcp/0'],
  bootstrap: [],
  relay: false,
  apiPort: 0,
  firewalled: false,
  private: false,
  pingInterval: 120,
  dhtServer: 'auto',
  join: [],
  ...Object.fromEntries(LIMIT_SECTION_NAMES.map(name => [name, {}])) as unknown as LimitSections
})

/** Read `config.json`; a missing file means no settings */
export async function readConfigFile (path: string): Promise<Partial<NodeSettings>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err.code === 'ENOENT') return {}
    throw new InvalidConfigError(`Cannot read ${path}: ${err.message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new InvalidConfigError(`${path} is not valid JSON: ${err.message}`)
  }
  return validateSettings(json, path)
}

/** Check a partial settings object (from a file or the API); `source` names it in errors */
export function validateSettings (value: unknown, source: string): Partial<NodeSettings> {
  if (typeof value !== 'object' || value == null || Array.isArray(value)) {
    throw new InvalidConfigError(`${source} must hold a JSON object`)
  }
  const input = value as Record<string, unknown>
  const settings: Partial<NodeSettings> = {}
  for (const [name, v] of Object.entries(input)) {
    switch (name) {
      case 'listen':
      case 'bootstrap':
        settings[name] = validateMultiaddrs(v, `${source}: "${name}"`, name === 'bootstrap')
        break
      case 'relay':
      case 'firewalled':
      case 'private':
        if (typeof v !== 'boolean') throw new InvalidConfigError(`${source}: "${name}" must be true or false`)
        settings[name] = v
        break
      case 'apiPort':
        settings.apiPort = validatePort(v, `${source}: "apiPort"`)
        break
      case 'pingInterval':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PING_INTERVAL_S) {
          throw new InvalidConfigError(`${source}: "pingInterval" must be a whole number of seconds from 1 to ${MAX_PING_INTERVAL_S}`)
        }
        settings.pingInterval = v
        break
      case 'dhtServer':
        if (typeof v !== 'boolean' && v !== 'auto') throw new InvalidConfigError(`${source}: "dhtServer" must be true, false or "auto"`)
        settings.dhtServer = v
        break
      case 'join':
        // checked (signature, kind) when the node starts: decoding needs the crypto libraries
        if (typeof v === 'string') settings.join = [v]
        else if (Array.isArray(v) && v.every(i => typeof i === 'string')) settings.join = v
        else throw new InvalidConfigError(`${source}: "join" must be an invitation or a list of them`)
        break
      default:
        if (isLimitSection(name)) {
          (settings as Record<string, unknown>)[name] = validateLimitSection(name, v, `${source}: "${name}"`)
          break
        }
        throw new InvalidConfigError(`${source}: unknown setting "${name}" (known: ${Object.keys(DEFAULT_SETTINGS).join(', ')})`)
    }
  }
  return settings
}

/**
 * Whether a node with these settings serves the DHT. A node nobody can dial
 * cannot serve; the `auto` rule keeps the DHT on the nodes that stay up and
 * reachable — community relays and the nodes others bootstrap from — so a
 * desktop node does not spend its idle bytes answering the mesh's queries
 * and does not take records with it when it goes offline.
 */
export function servesDht (settings: Pick<NodeSettings, 'dhtServer' | 'relay' | 'bootstrap' | 'firewalled' | 'private'>): boolean {
  if (settings.firewalled || settings.private) return false
  if (settings.dhtServer !== 'auto') return settings.dhtServer
  return settings.relay || settings.bootstrap.length === 0
}

export function validatePort (value: unknown, what: string): number {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidConfigError(`${what} must be a port number from 0 to 65535`)
  }
  return port
}

function validateMultiaddrs (value: unknown, what: string, needPeerId: boolean): string[] {
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) {
    throw new InvalidConfigError(`${what} must be a list of multiaddr strings`)
  }
  for (const text of value as string[]) {
    let ma
    try {
      ma = multiaddr(text)
    } catch (err: any) {
      throw new InvalidConfigError(`${what}: "${text}" is not a multiaddr (${err.message})`)
    }
    if (needPeerId && ma.getComponents().findLast(c => c.name === 'p2p') == null) {
      throw new InvalidConfigError(`${what}: "${text}" must end with /p2p/<peerId>`)
    }
  }
  return value as string[]
}

function dropUndefinedKeys (value: object): object {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
}

/** Defaults (a relay's ping interval its own), then the file, then explicit values (flags) */
export function mergeSettings (...layers: Array<Partial<NodeSettings>>): NodeSettings {
  const merged: NodeSettings = { ...DEFAULT_SETTINGS, listen: [...DEFAULT_SETTINGS.listen], bootstrap: [], join: [] }
  for (const layer of layers) {
    for (const [name, v] of Object.entries(layer)) {
      // a section (such as `mailbox`) is merged key by key: a file setting one limit keeps the others
      const section = typeof v === 'object' && v != null && !Array.isArray(v)
      if (v !== undefined) (merged as any)[name] = section ? { ...(merged as any)[name], ...dropUndefinedKeys(v) } : v
    }
  }
  if (merged.relay && layers.every(layer => layer.pingInterval === undefined)) merged.pingInterval = RELAY_PING_INTERVAL_S
  return merged
}
