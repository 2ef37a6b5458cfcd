/**
 * A node in a child process whose disk is slow: every datastore batch
 * commits `--commit-delay` ms late. Acknowledging a message before its
 * batch is on disk would then leave a wide window for a SIGKILL to open;
 * acknowledging after, as the protocol promises, leaves none.
 *
 *   node dist/test/helpers/slow-disk-node.js --home DIR [--commit-delay MS] [--list]
 *
 * Prints one JSON line once listening ({ peerId, addresses }), or with
 * --list the ids of the messages in the inbox ({ inbox: [...] }) and exits.
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { LevelDatastore } from 'datastore-level'
import { createNode } from '../../src/node/create-node.js'

const { values } = parseArgs({ options: { home: { type: 'string' }, 'commit-delay': { type: 'string', default: '0' }, list: { type: 'boolean', default: false } } })
if (values.home == null) throw new Error('--home is required')
const delay = Number(values['commit-delay'])
const datastore = new LevelDatastore(join(values.home, 'slow-datastore'))
await datastore.open()
const batch = datastore.batch.bind(datastore)
datastore.batch = () => {
  const b = batch()
  const commit = b.commit.bind(b)
  b.commit = async () => {
    await new Promise(resolve => setTimeout(resolve, delay))
    await commit()
  }
  return b
}
const OPEN_INBOX = { strangerBurst: 100_000, strangerMessages: 100_000, strangerBytes: 1e9, strangersTotalMessages: 100_000, strangersTotalBytes: 1e9 }
const node = await createNode({ home: values.home, datastore, listen: ['/ip4/127.0.0.1/tcp/0'], messaging: { inbox: OPEN_INBOX } })
if (values.list) {
  const inbox = await node.libp2p.services.im.inbox()
  console.log(JSON.stringify({ inbox: inbox.map(m => m.message.id) }))
  await node.stop()
  await datastore.close()
  process.exit(0)
}
console.log(JSON.stringify({ peerId: node.peerId.toString(), addresses: node.libp2p.getMultiaddrs().map(ma => ma.toString()) }))
// never outlive the test: it holds our stdin
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
