/**
 * A node's home directory: everything one presence-mesh identity owns on
 * disk. Two nodes with different homes run side by side on one machine.
 */
import { access, constants, mkdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { UnusableHomeError } from './errors.js'

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

/** Create the home (owner-only) if it does not exist yet; a home that cannot be used fails at once */
export async function ensureHome (root: string): Promise<HomePaths> {
  try {
    await makeDirectory(root)
    if (!(await stat(root)).isDirectory()) throw new Error('it is not a directory')
    await access(root, constants.R_OK | constants.W_OK | constants.X_OK)
  } catch (err: any) {
    throw new UnusableHomeError(`Cannot use ${root} as the home: ${err.code === 'EACCES' ? 'permission denied' : err.message}`)
  }
  return homePaths(root)
}

/**
 * mkdir -p, one level at a time. Node's own `recursive: true` never returns
 * for a path under /proc (it retries the ENOENT for ever): here a level that
 * still cannot be made once its parent exists is an error.
 */
async function makeDirectory (path: string, parentMade = false): Promise<void> {
  try {
    await mkdir(path, { mode: 0o700 })
  } catch (err: any) {
    if (err.code === 'EEXIST') return
    if (err.code !== 'ENOENT' || parentMade || dirname(path) === path) throw err
    await makeDirectory(dirname(path))
    await makeDirectory(path, true)
  }
}
