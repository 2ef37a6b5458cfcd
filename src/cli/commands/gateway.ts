/**
 * `pmesh gateway xmpp`: run a gateway node that is also an XMPP server component (docs/GATEWAY.md),
 * in the foreground until SIGINT/SIGTERM.
 */
import { stopRequested } from '../signals.js'
import { readFile } from 'node:fs/promises'
import { parse } from '../args.js'
import { UsageError } from '../errors.js'
import { print, printFields, printJson } from '../output.js'
import type { Command } from '../main.js'
import type { PeerId } from '@libp2p/interface'
import type { IdentityNodeFactory } from '../../gateway/xmpp-identities.js'

/** Each XMPP user's node says goodbye and stops too, in parallel */
const STOP_DEADLINE_MS = 10_000

export const gateway: Command = {
  usage: 'pmesh gateway xmpp --service xmpp://HOST:PORT --domain DOMAIN (--secret-file FILE | env PMESH_XMPP_SECRET) --serve URI… [--home DIR] [--listen MA]… [--bootstrap MA]… [--json]',
  summary: 'run a gateway node that shows the mesh users it serves to XMPP users as <peerid>@DOMAIN (XEP-0114 component)',
  run: async argv => {
    const { values, positionals, home } = parse(argv, {
      service: { type: 'string' },
      domain: { type: 'string' },
      'secret-file': { type: 'string' },
      serve: { type: 'string', multiple: true },
      listen: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true }
    }, { min: 1, max: 1 })
    if (positionals[0] !== 'xmpp') throw new UsageError(`unknown gateway "${positionals[0]}" (only xmpp)`)
    if (values.service == null || !/^xmpps?:\/\/[^/\s]+:\d+$/.test(values.service)) throw new UsageError('--service must be xmpp://HOST:PORT, the server\'s component port')
    if (values.domain == null || !/^[a-z0-9.-]+$/i.test(values.domain)) throw new UsageError('--domain must be the component\'s domain name')
    const secret = values['secret-file'] != null ? (await readFile(values['secret-file'], 'utf8')).trim() : process.env.PMESH_XMPP_SECRET
    if (secret == null || secret === '') throw new UsageError('give the component secret with --secret-file FILE or PMESH_XMPP_SECRET')
    if (values.serve == null || values.serve.length === 0) throw new UsageError('--serve URI: at least one mesh user to serve')

    // loaded here: libp2p and xmpp.js take a while to load, and `pmesh help` needs neither
    const [{ createNode }, { XmppGateway, servedPeer }] = await Promise.all([import('../../node/create-node.js'), import('../../gateway/xmpp.js')])
    const serve: PeerId[] = values.serve.map(uri => {
      try {
        return servedPeer(uri)
      } catch {
        throw new UsageError(`--serve ${uri}: not a pres: URI or peer id`)
      }
    })
    const node = await createNode({ home, listen: values.listen, bootstrap: values.bootstrap })
    const { settings } = node
    // each XMPP user's node: the gateway's interfaces on ports of its own, joining the mesh through
    // the gateway's bootstrap peers and the gateway itself; a DHT client, asking before anyone watches it
    const identities: IdentityNodeFactory = async (privateKey, datastore) => createNode({
      privateKey,
      datastore,
      listen: settings.listen.map(ma => ma.replace(/\/(tcp|udp)\/\d+/, '/$1/0')),
      bootstrap: [...settings.bootstrap, ...node.libp2p.getMultiaddrs().map(ma => ma.toString())],
      firewalled: settings.firewalled,
      private: settings.private,
      dhtServer: false,
      presence: { defaultPolicy: 'ask', publishOnStart: false }
    })
    const gw = new XmppGateway({ peerId: node.peerId, im: node.libp2p.services.im, datastore: node.datastore, logger: node.libp2p.logger }, { service: values.service, domain: values.domain, secret, serve, identities })
    try {
      await gw.start()
    } catch (err) {
      await node.stop()
      throw err
    }
    // listening before we say we run (signals.ts)
    const stopping = stopRequested()
    const info = { uri: node.presUri, peerId: node.peerId.toString(), addresses: node.libp2p.getMultiaddrs().map(ma => ma.toString()), jids: serve.map(peer => gw.jidOf(peer)) }
    if (values.json === true) printJson(info)
    else printFields([['gateway', info.uri], ['listening', info.addresses], ['serving', info.jids]])

    await stopping
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref()
    await gw.stop()
    await node.stop()
    if (values.json !== true) print('stopped')
  }
}
