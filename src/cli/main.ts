/**
 * `pmesh`: the command line. `start` runs a node; every other command is a
 * thin client of a running node's control API, found through `--home`.
 */
import { PACKAGE_ROOT } from '../utils/package-root.js'
import { UsageError } from './errors.js'

export interface Command {
  usage: string
  summary: string
  run(argv: string[]): Promise<void>
}

/**
 * Every command, by name, loaded only when it runs: `start` needs libp2p (most of a second to
 * load) and the commands taking a URI need the key code, while `pmesh id` or `status` should
 * answer in a few tens of milliseconds. A new command is one line here.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.js')).start,
  node: async () => (await import('./commands/node.js')).node,
  id: async () => (await import('./commands/network.js')).id,
  peers: async () => (await import('./commands/network.js')).peers,
  connect: async () => (await import('./commands/network.js')).connect,
  status: async () => (await import('./commands/presence.js')).status,
  fetch: async () => (await import('./commands/presence.js')).fetchCommand,
  watch: async () => (await import('./commands/presence.js')).watch,
  subscriptions: async () => (await import('./commands/presence.js')).subscriptions,
  watchers: async () => (await import('./commands/presence.js')).watchers,
  policy: async () => (await import('./commands/access.js')).policy,
  allow: async () => (await import('./commands/access.js')).allow,
  deny: async () => (await import('./commands/access.js')).deny,
  block: async () => (await import('./commands/access.js')).block,
  unblock: async () => (await import('./commands/access.js')).unblock,
  revoke: async () => (await import('./commands/access.js')).revoke,
  requests: async () => (await import('./commands/access.js')).requests,
  delegate: async () => (await import('./commands/presence.js')).delegate,
  send: async () => (await import('./commands/messaging.js')).send,
  inbox: async () => (await import('./commands/messaging.js')).inbox,
  reply: async () => (await import('./commands/messaging.js')).reply,
  service: async () => (await import('./commands/service.js')).service,
  gateway: async () => (await import('./commands/gateway.js')).gateway,
  contacts: async () => (await import('./commands/contacts.js')).contacts,
  invite: async () => (await import('./commands/contacts.js')).invite,
  open: async () => (await import('./commands/open.js')).open
}

async function usage (): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map(async load => await load()))
  const lines = commands.map(c => `  ${c.usage}\n      ${c.summary}`)
  return `usage: pmesh <command> [options]\n\n${lines.join('\n')}\n\n--home DIR (or PMESH_HOME) picks the node; default ~/.config/presence-mesh\npmesh --version: the version and the Node.js that runs it\n`
}

/** The package's version, the Node that runs it and where it is installed */
async function version (): Promise<string> {
  const { readFile } = await import('node:fs/promises')
  const { version } = JSON.parse(await readFile(new URL('package.json', PACKAGE_ROOT), 'utf8'))
  return `pmesh ${String(version)} (Node.js ${process.version}, ${decodeURIComponent(PACKAGE_ROOT.pathname)})\n`
}

/** Run one command line; resolves with the process exit code */
export async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name == null || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(await usage())
    return name == null ? 2 : 0
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(await version())
    return 0
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (load == null) {
    const guess = closestCommand(name)
    process.stderr.write(`pmesh: unknown command "${name}"${guess == null ? '' : `; did you mean "${guess}"?`}\nRun "pmesh help" for the list of commands.\n`)
    return 2
  }
  const command = await load()
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n  ${command.summary}\n`)
    return 0
  }
  try {
    await command.run(rest)
    return 0
  } catch (err: any) {
    if (err instanceof UsageError) {
      process.stderr.write(`pmesh ${name}: ${err.message}\nusage: ${command.usage}\n`)
      return 2
    }
    process.stderr.write(`pmesh ${name}: ${err?.message ?? String(err)}\n`)
    return 1
  }
}

/** The command a typo most likely meant: within two edits (a third of a long name), else none */
function closestCommand (typed: string): string | undefined {
  let best: { name: string, distance: number } | undefined
  for (const name of Object.keys(COMMANDS)) {
    const distance = editDistance(typed.toLowerCase(), name)
    if (distance <= Math.max(2, Math.floor(name.length / 3)) && (best == null || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}

/** Levenshtein distance, a swap of two neighbours counting as one edit */
function editDistance (a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i === 0 ? j : j === 0 ? i : 0))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}
