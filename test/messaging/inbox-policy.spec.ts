/**
 * The inbox policy store: partial updates never erase what they do not
 * name, and whatever the datastore holds, loading never crashes the node.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import fc from 'fast-check'
import { Key } from 'interface-datastore'
import { fromString } from 'uint8arrays/from-string'
import { DEFAULT_INBOX_POLICY, INBOX_MODES, InboxPolicyStore, type InboxPolicy, type InboxPolicyChange } from '../../src/messaging/inbox-policy.js'
import { CORRUPT_PREFIX } from '../../src/utils/stored-values.js'
import type { PeerId } from '@libp2p/interface'

const POLICY_KEY = new Key('/presence-mesh/im/policy')

function quietLog (): { error: (...args: any[]) => void, errors: string[] } {
  const errors: string[] = []
  return { error: (...args: any[]) => { errors.push(args.map(String).join(' ')) }, errors }
}

const change: fc.Arbitrary<InboxPolicyChange> = fc.record({
  mode: fc.option(fc.constantFrom(...INBOX_MODES), { nil: undefined }),
  silent: fc.option(fc.boolean(), { nil: undefined })
}, { requiredKeys: [] })

describe('inbox policy store', () => {
  let peers: PeerId[]
  before(async () => {
    peers = await Promise.all([0, 1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
  })

  it('applies any sequence of partial updates field by field, and a restart reads back the same policy', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(
      change.map(c => ({ kind: 'set' as const, change: c })),
      fc.record({ kind: fc.constantFrom('allow' as const, 'block' as const, 'clear' as const), peer: fc.nat(2) })
    ), { maxLength: 12 }), async steps => {
      const datastore = new MemoryDatastore()
      const store = new InboxPolicyStore(datastore, quietLog())
      await store.load()
      let model: InboxPolicy = structuredClone(DEFAULT_INBOX_POLICY) as InboxPolicy
      for (const step of steps) {
        if (step.kind === 'set') {
          await store.update(step.change)
          // only the fields named with a value change
          if (step.change.mode !== undefined) model.mode = step.change.mode
          if (step.change.silent !== undefined) model.silent = step.change.silent
        } else {
          const id = peers[step.peer].toString()
          await store[step.kind](peers[step.peer])
          model = {
            ...model,
            allow: step.kind === 'allow' ? [...model.allow.filter(p => p !== id), id] : model.allow.filter(p => p !== id),
            block: step.kind === 'block' ? [...model.block.filter(p => p !== id), id] : model.block.filter(p => p !== id)
          }
        }
        const got = store.get()
        assert.deepEqual({ ...got, allow: [...got.allow].sort(), block: [...got.block].sort() }, { ...model, allow: [...model.allow].sort(), block: [...model.block].sort() })
      }
      const reloaded = new InboxPolicyStore(datastore, quietLog())
      await reloaded.load()
      assert.deepEqual(reloaded.get(), store.get())
    }), { numRuns: 60 })
  })

  it('keeps the mode when only silent is given, even as an explicit undefined (the API\'s lone --silent)', async () => {
    const store = new InboxPolicyStore(new MemoryDatastore(), quietLog())
    await store.load()
    await store.update({ mode: 'contacts' })
    assert.deepEqual(await store.update({ mode: undefined, silent: false }), { mode: 'contacts', allow: [], block: [], silent: false })
    await assert.rejects(store.update({ mode: 'anyone' as any }), /mode must be one of/)
    await assert.rejects(store.update({ silent: 'yes' as any }), /silent must be true or false/)
    assert.equal(store.get().mode, 'contacts', 'a rejected update changes nothing')
  })

  it('loads whatever bytes are stored without throwing: a valid policy as stored, anything else set aside for the defaults', async () => {
    const valid = fc.record({ mode: fc.constantFrom(...INBOX_MODES), allow: fc.array(fc.string()), block: fc.array(fc.string()), silent: fc.boolean() }, { requiredKeys: [] })
    const stored = fc.oneof(
      valid.map(v => ({ bytes: fromString(JSON.stringify(v)), valid: true })),
      fc.jsonValue().map(v => ({ bytes: fromString(JSON.stringify(v)), valid: undefined })),
      fc.uint8Array({ maxLength: 64 }).map(bytes => ({ bytes, valid: undefined }))
    )
    await fc.assert(fc.asyncProperty(stored, async ({ bytes, valid }) => {
      const datastore = new MemoryDatastore()
      await datastore.put(POLICY_KEY, bytes)
      const log = quietLog()
      const store = new InboxPolicyStore(datastore, log)
      await store.load()
      const policy = store.get()
      assert.ok(INBOX_MODES.includes(policy.mode) && typeof policy.silent === 'boolean')
      assert.ok(Array.isArray(policy.allow) && policy.allow.every(p => typeof p === 'string'))
      assert.ok(Array.isArray(policy.block) && policy.block.every(p => typeof p === 'string'))
      if (log.errors.length > 0) {
        assert.notEqual(valid, true, 'a valid policy is never set aside')
        assert.deepEqual(policy, DEFAULT_INBOX_POLICY)
        const aside = await collect(datastore, CORRUPT_PREFIX)
        assert.deepEqual(aside, [bytes], 'the corrupt policy is kept for the user, not lost')
        assert.equal(await datastore.has(POLICY_KEY), false)
      }
      // still usable: a change persists
      await store.update({ mode: 'nobody' })
      assert.equal(store.get().mode, 'nobody')
    }), { numRuns: 150 })
  })

  it('decides: block before allow before mode; contacts are exempt; a blocked sender gets what a non-contact gets, unless silent is off', async () => {
    const store = new InboxPolicyStore(new MemoryDatastore(), quietLog())
    await store.load()
    const [friend, stranger, pest] = peers
    const isContact = (peer: PeerId): boolean => peer.equals(friend)
    await store.block(pest)
    assert.deepEqual([friend, stranger, pest].map(p => store.decide(p, isContact)), ['contact', 'stranger', 'blocked'])
    // under `contacts` a non-contact is refused: so is the blocked sender, which cannot tell the two apart
    await store.update({ mode: 'contacts' })
    assert.deepEqual([friend, stranger, pest].map(p => store.decide(p, isContact)), ['contact', 'refuse', 'refuse'])
    await store.update({ mode: 'everyone', silent: false })
    assert.deepEqual([friend, stranger, pest].map(p => store.decide(p, isContact)), ['contact', 'stranger', 'refuse'])
    await store.update({ mode: 'nobody', silent: false })
    await store.allow(stranger)
    assert.deepEqual([friend, stranger, pest].map(p => store.decide(p, isContact)), ['refuse', 'contact', 'refuse'])
  })
})

async function collect (datastore: MemoryDatastore, prefix: string): Promise<Uint8Array[]> {
  const values: Uint8Array[] = []
  for await (const { value } of datastore.query({ prefix })) values.push(value)
  return values
}
