/**
 * A node's home directory: everything one presence-mesh identity owns on
 * disk. Two nodes with different homes run side by side on one machine.
 */
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export interface HomePaths {
  root: string
  /** Ed25519 private key, libp2p protobuf encoding, mode 0600 */
  identityKey: string
  /** LevelDB datastore: peer store, DHT records, our own state */
  datastore: string
  /** Optional JSON settings, same names as the `pmesh start` flags */
  config: string
  /** Bearer token of the local control API, mode 0600 */
  apiToken: string
  /** Written by a running node so clients find its API; removed on stop */
  apiEndpoint: string
}

/**
 * The home to use: an explicit path, else `$PMESH_HOME`, else the user's
 * config directory (`$XDG_CONFIG_HOME/presence-mesh`, `~/.config/presence-mesh`).
 */
export function resolveHome (explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit != null && explicit !== '') return resolve(explicit)
  if (env.PMESH_HOME != null && env.PMESH_HOME !== '') return resolve(env.PMESH_HOME)
  const configDir = env.XDG_CONFIG_HOME != null && env.XDG_CONFIG_HOME !== ''
    ? env.XDG_CONFIG_HOME
    : join(homedir(), '.config')
  return join(configDir, 'presence-mesh')
}

export function homePaths (root: string): HomePaths {
  return {
    root,
    identityKey: join(root, 'identity.key'),
    datastore: join(root, 'datastore'),
    config: join(root, 'config.json'),
    apiToken: join(root, 'api-token'),
    apiEndpoint: join(root, 'api.json')
  }
}

/** Create the home (owner-only) if it does not exist yet */
export async function ensureHome (root: string): Promise<HomePaths> {
  await mkdir(root, { recursive: true, mode: 0o700 })
  return homePaths(root)
}
