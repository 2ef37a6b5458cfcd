/**
 * Real presence-mesh nodes on 127.0.0.1 for tests.
 */
import { createNode, type CreateNodeOptions, type PresenceMeshNode } from '../../src/node/create-node.js'
import { waitFor } from './temp.js'

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

export async function startNode (options: CreateNodeOptions = {}): Promise<PresenceMeshNode> {
  return createNode({ listen: LOOPBACK, ...options })
}

/** Dial `to` from `from` and wait until both sides see the connection */
export async function connect (from: PresenceMeshNode, to: PresenceMeshNode): Promise<void> {
  await from.libp2p.dial(to.libp2p.getMultiaddrs()[0])
  await waitFor(() => to.libp2p.getConnections(from.peerId).length > 0, 5_000, 'inbound connection')
}

export async function stopAll (...nodes: Array<PresenceMeshNode | undefined>): Promise<void> {
  await Promise.all(nodes.map(async node => node?.stop()))
}

/**
 * For a describe block: a `start` that starts a node and an afterEach that
 * stops every node started in the test. `stopped(node)` forgets a node the
 * test stopped itself.
 */
export function nodesPerTest (): { start(options?: CreateNodeOptions): Promise<PresenceMeshNode>, stopped(node: PresenceMeshNode): void } {
  const nodes: PresenceMeshNode[] = []
  afterEach(async () => stopAll(...nodes.splice(0)))
  return {
    start: async (options = {}) => {
      const node = await startNode(options)
      nodes.push(node)
      return node
    },
    stopped: node => { nodes.splice(nodes.indexOf(node), 1) }
  }
}
