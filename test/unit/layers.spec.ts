/**
 * The layers of docs/ARCHITECTURE.md, checked on the import graph of src/:
 * a module imports only from its own layer's folder or from layers below
 * (type-only imports too: a type is knowledge of the layer it comes from),
 * and no modules import each other in a circle at run time (type-only
 * imports excepted, as js-libp2p's index.ts files are imported for their
 * interfaces by the classes they describe).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const SRC = join(ROOT, 'src')

/**
 * Bottom to top; a folder imports only from folders of lower layers and its
 * own. `index.ts` is the package's entry and may import anything.
 */
const LAYERS: string[][] = [
  ['utils', 'uri'],
  ['mailbox'],
  ['presence'],
  ['messaging'],
  ['contacts'],
  ['node'],
  ['api', 'gateway'],
  ['cli'],
  ['index.ts']
]

interface Edge { from: string, to: string, typeOnly: boolean }

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map(entry => relative(SRC, join(entry.parentPath, entry.name)))
}

/** Relative imports of every module: static, re-exports and dynamic import() */
function importGraph (): Edge[] {
  const edges: Edge[] = []
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'|(?:^|\n)\s*import\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g
  for (const file of sources(SRC)) {
    const text = readFileSync(join(SRC, file), 'utf8')
    for (const m of text.matchAll(statement)) {
      const spec = m[4] ?? m[5] ?? m[6]
      // `import { type A, type B } from` is type-only as well
      const names = m[3]?.replace(/^\{|\}$/g, '').split(',').map(name => name.trim()).filter(name => name !== '') ?? []
      const typeOnly = m[2] != null || (names.length > 0 && m[3]?.startsWith('{') === true && names.every(name => name.startsWith('type ')))
      const to = relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.js$/, '.ts')
      edges.push({ from: file, to, typeOnly })
    }
  }
  return edges
}

const layerOf = (file: string): number => {
  const top = file.split('/')[0]
  const layer = LAYERS.findIndex(names => names.includes(top))
  if (layer < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS and to docs/ARCHITECTURE.md`)
  return layer
}

/** Runtime cycles among modules, each as a path that comes back to its start */
function cycles (edges: Edge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to, typeOnly } of edges) if (!typeOnly) next.set(from, [...next.get(from) ?? [], to])
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (file: string, path: string[]): void => {
    state.set(file, 'open')
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') found.push([...path.slice(path.indexOf(to)), to])
      else if (state.get(to) == null) visit(to, [...path, to])
    }
    state.set(file, 'done')
  }
  for (const file of next.keys()) if (state.get(file) == null) visit(file, [file])
  return found
}

describe('unit: layers', () => {
  const edges = importGraph()

  it('reads the import graph of src/', () => {
    assert.ok(edges.length > 200, `${edges.length} imports`)
    assert.ok(edges.some(e => e.from === 'presence/presence.ts' && e.to === 'presence/access/control.ts' && !e.typeOnly))
    assert.ok(edges.some(e => e.from === 'presence/index.ts' && e.to === 'presence/access/keyring.ts' && e.typeOnly))
    assert.ok(edges.some(e => e.from === 'cli/main.ts' && e.typeOnly === false), 'dynamic imports of the command table')
  })

  it('imports only from the same layer\'s folder or a lower layer', () => {
    const upward = edges.filter(({ from, to }) => {
      const [a, b] = [from.split('/')[0], to.split('/')[0]]
      return a !== b && layerOf(to) >= layerOf(from)
    })
    assert.deepEqual(upward.map(e => `${e.from} → ${e.to}`), [])
  })

  it('has no circular imports at run time', () => {
    assert.deepEqual(cycles(edges).map(path => path.join(' → ')), [])
  })

  it('finds an upward import and a cycle where there is one', () => {
    const made = [
      { from: 'presence/a.ts', to: 'presence/b.ts', typeOnly: false },
      { from: 'presence/b.ts', to: 'presence/c.ts', typeOnly: false },
      { from: 'presence/c.ts', to: 'presence/a.ts', typeOnly: false },
      { from: 'presence/c.ts', to: 'presence/d.ts', typeOnly: true },
      { from: 'presence/d.ts', to: 'presence/c.ts', typeOnly: false }
    ]
    assert.deepEqual(cycles(made).map(path => path.join(' ')), ['presence/a.ts presence/b.ts presence/c.ts presence/a.ts'])
    assert.ok(layerOf('node/constants.ts') > layerOf('presence/will-holders.ts'))
  })
})
