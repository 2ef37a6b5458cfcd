/**
 * A real node from a temporary home, serving its control API, with a typed
 * client and the bearer token, as `pmesh` commands see it.
 */
import { readFile } from 'node:fs/promises'
import { ApiClient } from '../../src/api/client.js'
import { serveNode, type ServedNode } from '../../src/api/serve.js'
import { startNode } from './nodes.js'
import { tempDir } from './temp.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

export interface ApiNode {
  home: string
  node: PresenceMeshNode
  served: ServedNode
  client: ApiClient
  token: string
  /** Stop serving, stop the node and remove its home */
  close(): Promise<void>
}

export async function apiNode (): Promise<ApiNode> {
  const dir = await tempDir()
  const node = await startNode({ home: dir.path })
  const served = await serveNode(node)
  return {
    home: dir.path,
    node,
    served,
    client: await ApiClient.fromHome(dir.path),
    token: (await readFile(`${dir.path}/api-token`, 'utf8')).trim(),
    close: async () => {
      await served.close()
      await node.stop()
      await dir.remove()
    }
  }
}
