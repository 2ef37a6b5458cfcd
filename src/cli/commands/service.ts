/**
 * `pmesh service install|uninstall`: start the node at login, as a systemd
 * user service (~/.config/systemd/user/pmesh.service). The unit runs this
 * package's launcher, bin/pmesh, which picks the bundled Node, with the home
 * given; every other setting lives in the home's config.json, so the unit
 * never needs editing when they change.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printJson } from '../output.js'
import { packageFile } from '../../utils/package-root.js'
import type { Command } from '../main.js'

const UNIT_NAME = 'pmesh.service'
/** The launcher of the installed package, next to dist/ */
const LAUNCHER = fileURLToPath(packageFile('bin/pmesh'))

/** Where systemd looks for a user's own units */
export function userUnitDir (env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME != null && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config')
  return join(config, 'systemd', 'user')
}

/**
 * One word of a unit's ExecStart, quoted as systemd reads it (systemd.service
 * "Command lines"): within double quotes a backslash and a quote are escaped,
 * `%` starts a specifier (`%%` is one `%`) and `$` a variable (`$$` is one `$`)
 */
export function unitWord (word: string): string {
  if (/[\n\r]/.test(word)) throw new UsageError(`a path with a line break cannot go in a systemd unit: ${JSON.stringify(word)}`)
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`
}

export function unitFile (home: string, alerts: string[] = [], launcher = LAUNCHER): string {
  return `[Unit]
Description=presence-mesh node (pmesh start, home ${home.replace(/%/g, '%%')})
Documentation=man:systemd.service(5)

[Service]
Type=exec
ExecStart=${[launcher, 'start', '--home', home, ...alerts].map(unitWord).join(' ')}
# pmesh says goodbye and stops within 2 s of SIGTERM
TimeoutStopSec=10
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
`
}

export const service: Command = {
  usage: 'pmesh service install|uninstall [--home DIR] [--notify] [--on-message CMD] [--force] [--json]',
  summary: `start the node at login: install (or remove) a systemd user service, ~/.config/systemd/user/${UNIT_NAME}`,
  run: async argv => {
    const { values, positionals, home } = parse(argv, { force: { type: 'boolean' }, notify: { type: 'boolean' }, 'on-message': { type: 'string' } }, { min: 1, max: 1 })
    const path = join(userUnitDir(), UNIT_NAME)
    if (positionals[0] === 'uninstall') {
      await rm(path, { force: true })
      if (values.json === true) printJson({ removed: path })
      else print(`removed ${path}\nif it was enabled, run: systemctl --user disable --now ${UNIT_NAME}; systemctl --user daemon-reload`)
      return
    }
    if (positionals[0] !== 'install') throw new UsageError(`expected "install" or "uninstall", not "${positionals[0]}"`)
    // desktop alerts, as `pmesh start` takes them (a graphical session gives the user manager its bus)
    const alerts = [...values.notify === true ? ['--notify'] : [], ...values['on-message'] != null ? ['--on-message', values['on-message']] : []]
    const text = unitFile(home, alerts)
    const existing = await readFile(path, 'utf8').catch(() => undefined)
    // a unit for another home, or edited by hand, is the user's: replaced only when asked
    if (existing != null && existing !== text && values.force !== true) {
      throw new Error(`${path} exists and differs (another home, or edited by hand); --force replaces it`)
    }
    await mkdir(userUnitDir(), { recursive: true })
    await writeFile(path, text)
    if (values.json === true) {
      printJson({ unit: path, home, enable: `systemctl --user daemon-reload && systemctl --user enable --now ${UNIT_NAME}` })
      return
    }
    print(`wrote ${path} (home ${home})
start the node now and at every login:
  systemctl --user daemon-reload
  systemctl --user enable --now ${UNIT_NAME}
its output: journalctl --user -u ${UNIT_NAME}
to keep it running while you are logged out: loginctl enable-linger
settings (listen, bootstrap, relay…): ${join(home, 'config.json')}, then systemctl --user restart ${UNIT_NAME}`)
  }
}
