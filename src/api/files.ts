/**
 * The files by which a client on this machine finds and is admitted to a
 * node's control API: a bearer token (created once, 0600) and an endpoint
 * file the running node writes (removed when it stops).
 */
import { open, readFile, rm, writeFile, rename } from 'node:fs/promises'
import { NodeNotRunningError } from './errors.js'

export interface ApiEndpoint {
  url: string
  pid: number
  peerId: string
}

export async function loadOrCreateToken (path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (token.length >= 32) return token
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw err
  }
  // Web Crypto's global, not an import of node:crypto: the clients that load this module never
  // make a token, and loading node:crypto would cost each of them tens of milliseconds
  const token = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
  const handle = await open(path, 'w', 0o600)
  try {
    await handle.chmod(0o600)
    await handle.writeFile(token)
  } finally {
    await handle.close()
  }
  return token
}

export async function writeEndpoint (path: string, endpoint: ApiEndpoint): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(endpoint), { mode: 0o600 })
  await rename(tmp, path)
}

export async function removeEndpoint (path: string): Promise<void> {
  await rm(path, { force: true })
}

/** What a client needs: where the API is and the token to present */
export async function readApiAccess (paths: { root: string, apiEndpoint: string, apiToken: string }): Promise<{ endpoint: ApiEndpoint, token: string }> {
  let endpoint: ApiEndpoint
  let token: string
  try {
    endpoint = JSON.parse(await readFile(paths.apiEndpoint, 'utf8'))
    token = (await readFile(paths.apiToken, 'utf8')).trim()
  } catch {
    throw new NodeNotRunningError(`No node is running with home ${paths.root} (start one with: pmesh start --home ${paths.root})`)
  }
  if (typeof endpoint?.url !== 'string') {
    throw new NodeNotRunningError(`${paths.apiEndpoint} is damaged; restart the node`)
  }
  return { endpoint, token }
}
