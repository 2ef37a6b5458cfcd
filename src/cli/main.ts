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

export interface Command {
  usage: string
  summary: string
  run(argv: string[]): Promise<void>
}

export const COMMANDS: Record<string, Command> = { start, id, peers, connect, status, fetch: fetchCommand, watch, subscriptions, watchers, policy, allow, deny, block, unblock, revoke, requests, delegate, send, inbox, reply }

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
    process.stderr.write(`pmesh: unknown command "${name}"\n\n${usage()}`)
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
