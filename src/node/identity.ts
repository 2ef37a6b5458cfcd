/**
 * The node's identity: one Ed25519 key, created on first start and reused
 * after. A key file that exists but cannot be used stops start-up — silently
 * replacing it would change the user's address and lose every contact.
 */
import { randomBytes } from 'node:crypto'
import { link, open, readFile, unlink } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { IdentityKeyError } from './errors.js'
import type { PrivateKey } from '@libp2p/interface'

export async function loadOrCreateIdentity (path: string): Promise<PrivateKey> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err: any) {
    if (err.code === 'ENOENT') return createIdentity(path)
    throw new IdentityKeyError(path, `it cannot be read (${err.code ?? err.message})`)
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err: any) {
    throw new IdentityKeyError(path, `it is not a libp2p private key (${err.message})`)
  }
  if (key.type !== 'Ed25519') {
    throw new IdentityKeyError(path, `it holds a ${key.type} key, presence-mesh identities are Ed25519`)
  }
  return key
}

async function createIdentity (path: string): Promise<PrivateKey> {
  const key = await generateKeyPair('Ed25519')
  // write, sync, then hard-link into place: a crash never leaves a
  // half-written key, and link() fails if another start won a race, in which
  // case that key is the identity
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(privateKeyToProtobuf(key))
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(tmp, path)
  } catch (err: any) {
    if (err.code === 'EEXIST') return loadOrCreateIdentity(path)
    throw err
  } finally {
    // linked or not, the key is where it belongs or the error says why; a stray temporary file (mode 0600) is harmless
    await unlink(tmp).catch(() => {})
  }
  return key
}
