/**
 * `pmesh`: the command line. `start` runs a node; every other command is a
 * thin client of a running node's control API, found through `--home`.
 */
import { UsageError } from './errors.js'
import { connect, id, peers } from './commands/network.js'
import { allow, block, deny, policy, requests, revoke, unblock } from './commands/access.js'
import { inbox, reply, send } from './commands/messaging.js'
import { delegate, fetchCommand, status, subscriptions, watch, watchers } from './commands/presence.js'
import { start } from './commands/start.js'
import { open } from './commands/open.js'
import { contacts, invite } from './commands/contacts.js'

export interface Command {
  usage: string
  summary: string
  run(argv: string[]): Promise<void>
}

export const COMMANDS: Record<string, Command> = { start, id, peers, connect, status, fetch: fetchCommand, watch, subscriptions, watchers, policy, allow, deny, block, unblock, revoke, requests, delegate, send, inbox, reply, contacts, invite, open }

function usage (): string {
  const lines = Object.values(COMMANDS).map(c => `  ${c.usage}\n      ${c.summary}`)
  return `usage: pmesh <command> [options]\n\n${lines.join('\n')}\n\n--home DIR (or PMESH_HOME) picks the node; default ~/.config/presence-mesh\n`
}

/** Run one command line; resolves with the process exit code */
export async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name == null || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage())
    return name == null ? 2 : 0
  }
  const command = COMMANDS[name]
  if (command == null) {
    const guess = closestCommand(name)
    process.stderr.write(`pmesh: unknown command "${name}"${guess == null ? '' : `; did you mean "${guess}"?`}\nRun "pmesh help" for the list of commands.\n`)
    return 2
  }
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
