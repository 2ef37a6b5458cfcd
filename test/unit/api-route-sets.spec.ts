/**
 * The control API's lazily loaded route families (src/api/serve.ts,
 * route-table.ts): each family's module serves exactly the routes it is
 * declared with, together they serve every endpoint once, and requests that
 * race a family's first load share it. A fresh node answering every family
 * is tested with a real node in test/api/api.spec.ts.
 */
import assert from 'node:assert/strict'
import { ROUTES } from '../../src/api/endpoints.js'
import { ApiError } from '../../src/api/errors.js'
import { routeSets } from '../../src/api/serve.js'
import { RouteTable, type RouteSet } from '../../src/api/route-table.js'
import type { Route } from '../../src/api/index.js'
import type { PresenceMeshNode } from '../../src/node/create-node.js'

/** The families build their handlers from the node's services without calling them */
const NODE = { libp2p: { services: { presence: {}, im: {}, contacts: {} } }, peerId: {}, access: {} } as unknown as PresenceMeshNode

function slowSet (routes: Route[], loads: { count: number }, fail = false): RouteSet {
  return {
    routes: routes.map(r => `${r.method} ${r.path}`),
    load: async () => {
      loads.count++
      await new Promise(resolve => setTimeout(resolve, 20))
      if (fail) throw new Error('import failed')
      return routes
    }
  }
}

const answer = (value: string): Route => ({ method: 'GET', path: `/v1/${value}/:x`, handler: async () => value })

describe('API route families, loaded on first use', () => {
  it('each family loads exactly the routes it declares, and all of them serve every endpoint but the eager appLink once', async () => {
    const served: string[] = []
    for (const set of routeSets(NODE)) {
      const loaded = (await set.load()).map(r => `${r.method} ${r.path}`)
      assert.deepEqual([...loaded].sort(), [...set.routes].sort())
      served.push(...loaded)
    }
    const expected = Object.entries(ROUTES).filter(([name]) => name !== 'appLink').map(([, key]) => key)
    assert.deepEqual(served.sort(), expected.sort())
  })

  it('loads a family once for the requests that race its first load, and not for a method it lacks', async () => {
    const loads = { count: 0 }
    const table = new RouteTable([], [slowSet([answer('a'), answer('b')], loads)])
    await assert.rejects(table.match('POST', '/v1/a/1'), (err: ApiError) => err.status === 405)
    await assert.rejects(table.match('GET', '/v1/c/1'), (err: ApiError) => err.status === 404)
    assert.equal(loads.count, 0)
    const matches = await Promise.all([table.match('GET', '/v1/a/1'), table.match('GET', '/v1/b/%20'), table.match('GET', '/v1/a/2')])
    assert.equal(loads.count, 1)
    assert.deepEqual(await Promise.all(matches.map(async m => m.route.handler({} as any))), ['a', 'b', 'a'])
    assert.deepEqual(matches.map(m => m.params), [{ x: '1' }, { x: ' ' }, { x: '2' }])
  })

  it('fails the requests of a load that failed and tries again on the next', async () => {
    const loads = { count: 0 }
    const set = slowSet([answer('a')], loads, true)
    const table = new RouteTable([], [set])
    await assert.rejects(table.match('GET', '/v1/a/1'), /import failed/)
    await assert.rejects(table.match('GET', '/v1/a/1'), /import failed/)
    assert.equal(loads.count, 2)
  })

  it('answers 500, not a wrong route, when a family lacks a route it declared', async () => {
    const table = new RouteTable([], [{ routes: ['GET /v1/a/:x', 'GET /v1/b/:x'], load: async () => [answer('a')] }])
    assert.equal((await table.match('GET', '/v1/a/1')).params.x, '1')
    await assert.rejects(table.match('GET', '/v1/b/1'), (err: Error) => !(err instanceof ApiError) && /did not load/.test(err.message))
  })
})
