/**
 * A fan-out's failed pushes on a fake clock: a push that timed out once (our
 * event loop starved, a slow circuit) is tried again before its watcher is
 * taken for away, one that fails twice is skipped for a while, and a circuit
 * dialled for a push is closed whether the push worked or not (the relay
 * holds a hop stream for it). Connections are fakes; streams are in memory.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { Push } from '../../../src/presence/pb/protocol.js'
import { Pushes, type PushesComponents } from '../../../src/presence/push.js'
import { fakeClock, type FakeClock } from '../fake-clock.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

const log = defaultLogger().forComponent('test:push-retry')
const RECORD = Uint8Array.from([7, 7, 7])

/** What a dial gives: a connection that carries the push, one whose stream hangs, or no answer at all */
type Dial = 'works' | 'hangs' | 'never'

interface Harness {
  pushes: Pushes
  /** Dials made, by outcome */
  dials: Dial[]
  /** Records the watcher received */
  received: Uint8Array[]
  /** Dialled connections closed (circuits given back) */
  closed: number
}

async function harness (outcomes: Dial[], limited = false): Promise<Harness> {
  const h: Harness = { pushes: undefined as unknown as Pushes, dials: [], received: [], closed: 0 }
  const hang = async (signal: AbortSignal): Promise<never> => new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
  })
  const connection = (stream: (signal: AbortSignal) => Promise<Stream>): Connection => ({
    status: 'open',
    limits: limited ? { bytes: 1n << 17n } : undefined,
    newStream: async (_protocol: string, options: { signal: AbortSignal }) => stream(options.signal),
    close: async () => { h.closed++ },
    abort: () => { h.closed++ }
  }) as unknown as Connection
  const components = {
    registrar: { handle: async () => {}, unhandle: async () => {} },
    peerStore: { get: async () => { throw new Error('not found') } },
    connectionManager: {
      getConnections: () => [],
      openConnection: async (_peer: PeerId, options: { signal: AbortSignal }) => {
        const outcome = outcomes[h.dials.length] ?? 'works'
        h.dials.push(outcome)
        if (outcome === 'never') return hang(options.signal)
        if (outcome === 'hangs') return connection(hang)
        return connection(async () => {
          const [outbound, inbound] = await streamPair()
          void pbStream(inbound).read(Push).then(push => { h.received.push(push.record) }, () => {})
          return outbound
        })
      }
    }
  } as unknown as PushesComponents
  h.pushes = new Pushes(components, { judge: async () => ({ verdict: 'ignore', reason: 'test' }), accepted: () => {}, malformed: () => {} }, log)
  return h
}

describe('pushes that fail under load', () => {
  let clock: FakeClock
  let watcher: PeerId
  beforeEach(async () => {
    watcher = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    clock = fakeClock()
  })
  afterEach(() => { clock.restore() })

  /** Run a fan-out to the watcher, moving the clock past every push timeout */
  const fanOut = async (h: Harness): Promise<void> => {
    const done = h.pushes.fanOut([watcher], RECORD)
    await clock.advance(12_000, 500)
    await clock.until(done)
  }

  it('tries a timed-out push again before taking its watcher for away', async () => {
    for (const first of ['never', 'hangs'] as const) {
      const h = await harness([first, 'works'])
      await fanOut(h)
      assert.deepEqual(h.dials, [first, 'works'])
      assert.deepEqual(h.received, [RECORD])
      assert.equal(h.pushes.isUnreachable(watcher), false)
    }
  })

  it('skips a watcher whose push failed twice, until it contacts us', async () => {
    const h = await harness(['never', 'hangs'])
    await fanOut(h)
    assert.equal(h.pushes.isUnreachable(watcher), true)
    await fanOut(h)
    assert.equal(h.dials.length, 2, 'no dial for the next change')
    h.pushes.reachable(watcher)
    await fanOut(h)
    assert.deepEqual(h.received, [RECORD])
  })

  it('closes a circuit dialled for a push, whether the push worked or not', async () => {
    const h = await harness(['hangs', 'works'], true)
    await fanOut(h)
    assert.deepEqual(h.received, [RECORD])
    assert.equal(h.closed, 2)
  })
})
