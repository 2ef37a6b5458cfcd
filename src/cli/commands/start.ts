/**
 * `pmesh start`: run a node in the foreground until SIGINT/SIGTERM.
 */
import { stopRequested } from '../signals.js'
import { ApiClient } from '../../api/client.js'
import { parseHostPort, validatePort } from '../../node/config.js'
import { prepareDesktop } from '../desktop.js'
import { parse } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printFields, printJson } from '../output.js'
import type { Command } from '../main.js'

/** A stop that takes longer than this is cut short: the datastore survives SIGKILL anyway */
const STOP_DEADLINE_MS = 2_000

export const start: Command = {
  usage: 'pmesh start [--home DIR] [--listen MA]… [--bootstrap MA]… [--join INVITE]… [--announce MA]… [--relay] [--dht-server] [--firewalled] [--private] [--api-port N] [--metrics HOST:PORT] [--log-format text|json] [--on-message CMD] [--notify] [--json]',
  summary: 'run a node in the foreground (Ctrl-C stops it); --on-message CMD runs CMD with the sender and a summary of each new message or request, --notify shows them through notify-send',
  run: async argv => {
    const { values, home } = parse(argv, {
      listen: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      join: { type: 'string', multiple: true },
      relay: { type: 'boolean' },
      'dht-server': { type: 'boolean' },
      firewalled: { type: 'boolean' },
      private: { type: 'boolean' },
      'api-port': { type: 'string' },
      'on-message': { type: 'string' },
      notify: { type: 'boolean' },
      announce: { type: 'string', multiple: true },
      metrics: { type: 'string' },
      'log-format': { type: 'string' }
    }, { min: 0, max: 0 })
    if (values.metrics != null) {
      try {
        parseHostPort(values.metrics, '--metrics')
      } catch (err: any) {
        throw new UsageError(err.message)
      }
    }
    const logFormat = values['log-format']
    if (logFormat != null && logFormat !== 'text' && logFormat !== 'json') throw new UsageError('--log-format must be "text" or "json"')

    let apiPort: number | undefined
    if (values['api-port'] != null) {
      try {
        apiPort = validatePort(values['api-port'], '--api-port')
      } catch (err: any) {
        throw new UsageError(err.message)
      }
    }
    const desktop = await prepareDesktop({ onMessage: values['on-message'], notify: values.notify, warn: line => process.stderr.write(`pmesh start: ${line}\n`) })
    // loaded here, not at the top: libp2p takes most of a second to load, and every other
    // command is a thin API client that never needs it
    const [{ createNode }, { serveNode }] = await Promise.all([import('../../node/create-node.js'), import('../../api/serve.js')])
    // relay events (reservations, mailbox deposits and drains) go to stderr, one line each: stdout is the command's answer
    const node = await createNode({ home, listen: values.listen, bootstrap: values.bootstrap, join: values.join, relay: values.relay, dhtServer: values['dht-server'], firewalled: values.firewalled, private: values.private, apiPort, announce: values.announce, metrics: values.metrics, logFormat, logTo: process.stderr })
    let served
    let stopDesktop
    try {
      served = await serveNode(node)
      if (desktop != null) stopDesktop = await desktop(await ApiClient.fromHome(home))
    } catch (err) {
      await served?.close()
      await node.stop()
      throw err
    }

    // listening before we say we run (signals.ts)
    const stopping = stopRequested()
    const info = {
      uri: node.presUri,
      imUri: node.imUri,
      peerId: node.peerId.toString(),
      addresses: node.libp2p.getMultiaddrs().map(ma => ma.toString()),
      api: served.api.url,
      // a one-time sign-in link to the web app: `pmesh open` makes another when this one is spent
      app: served.appLink(),
      home: node.home?.root,
      relay: node.settings.relay,
      dht: node.libp2p.services.dht.getMode(),
      firewalled: node.settings.firewalled,
      private: node.settings.private,
      metrics: node.metricsUrl,
      // a relay's community invitation: new nodes join the mesh with it (pmesh start --join)
      invite: node.settings.relay ? (await node.libp2p.services.contacts.invite({ community: true })).invite : undefined
    }
    if (values.json === true) {
      printJson(info)
    } else {
      print('presence-mesh node running (Ctrl-C to stop)')
      printFields([['uri', info.uri], ['im', info.imUri], ['peer id', info.peerId], ['listening', info.addresses], ['api', info.api], ['app', `${info.app}  (one-time sign-in link; later: pmesh open)`], ['home', info.home ?? ''], ['role', role(node.settings)], ...(info.invite != null ? [['community invite', info.invite] as [string, string]] : []), ['dht', info.dht === 'server' ? 'server (answers the mesh\'s queries, holds records)' : 'client (asks the DHT servers it meets)'], ...(info.metrics == null ? [] : [['metrics', `${info.metrics}/metrics, health at ${info.metrics}/healthz`] as [string, string]])])
    }

    await stopping
    const deadline = setTimeout(() => {
      process.stderr.write(`stop took longer than ${STOP_DEADLINE_MS} ms, exiting\n`)
      process.exit(1)
    }, STOP_DEADLINE_MS)
    deadline.unref()
    stopDesktop?.()
    await served.close()
    await node.stop()
    clearTimeout(deadline)
    if (values.json !== true) print('stopped')
  }
}

function role (settings: { relay: boolean, firewalled: boolean, private: boolean }): string {
  if (settings.private) return 'private (reachable and dialling only through relays; circuit addresses appear once reserved)'
  if (settings.firewalled) return 'firewalled (reachable through relays; circuit addresses appear once reserved)'
  return settings.relay ? 'community relay' : 'node'
}
