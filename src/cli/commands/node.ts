/**
 * `pmesh node`: the running node as its operator sees it — health, uptime,
 * connections, reservations, mailbox, DHT records, version and every relay
 * limit in effect. A thin client of `/v1/node`, like every command but start.
 */
import { ApiClient } from '../../api/client.js'
import { parse } from '../args.js'
import { printFields, printJson } from '../output.js'
import type { Command } from '../main.js'
import type { NodeStatus } from '../../node/node-status.js'

export const node: Command = {
  usage: 'pmesh node [--home DIR] [--json]',
  summary: 'the node\'s health, uptime, connections, reservations, mailbox, DHT records, version and limits',
  run: async argv => {
    const { values, home } = parse(argv, {}, { min: 0, max: 0 })
    const status = await (await ApiClient.fromHome(home)).call('node')
    if (values.json === true) printJson(status)
    else printFields(statusFields(status))
  }
}

export function statusFields (s: NodeStatus): Array<[string, string]> {
  const { relayLimits: relay, mailbox, connections, streams, dht } = s.limits
  const failed = Object.entries(s.health.checks).filter(([, ok]) => !ok).map(([check]) => check === 'listening' ? 'no address to be reached at' : 'no relay or bootstrap peer connected')
  const refusals = Object.values(s.streamRefusals).reduce((sum, n) => sum + n, 0)
  return [
    ['health', s.health.status === 'ok' ? 'ok' : `unhealthy: ${failed.join(', ')}`],
    ['version', s.version],
    ['role', s.role],
    ['uptime', duration(s.uptimeSeconds * 1000)],
    ['connections', `${s.connections.total} (${s.connections.inbound} in, ${s.connections.outbound} out, ${s.connections.relayed} relayed) of at most ${connections.maxConnections}`],
    ['reservations', `${s.reservations.held} held on relays, ${s.reservations.given} given of at most ${relay.maxReservations}`],
    ['mailbox', `${s.mailbox.items} of ${mailbox.totalItems} items, ${bytes(s.mailbox.bytes)} of ${bytes(mailbox.totalBytes)}`],
    ['dht', `${s.dht.mode}, ${s.dht.records} records held (at most ${dht.maxRecords} for others)`],
    ['relayed', `${bytes(s.relayedBytes)} since start`],
    ['streams refused', `${refusals} since start`],
    ['relay limits', `reservations ${relay.maxReservations}, reservation lifetime ${duration(relay.reservationTtlMs)}, per relayed connection ${duration(relay.durationMs)} and ${bytes(relay.dataBytes)}`],
    ['mailbox limits', `per box ${mailbox.boxItems} items and ${bytes(mailbox.boxBytes)}, one stranger ${mailbox.senderShare} of a box, strangers ${mailbox.strangersShare}, per depositor ${mailbox.depositorItems} items and ${bytes(mailbox.depositorBytes)}, in all ${mailbox.totalItems} items and ${bytes(mailbox.totalBytes)}, kept ${duration(mailbox.ttlMs)}`],
    ['connection limits', `${connections.maxConnections} connections, ${connections.maxIncomingPending} handshakes at once and ${connections.maxIncomingPendingPerAddress} from one address, ${connections.inboundPerAddressPerSecond} new a second from one address`],
    ['stream limits', `${streams.maxPerPeer} per peer and protocol, ${streams.maxPerProtocol} per protocol, ${streams.maxPerPeerTotal} per peer`]
  ]
}

function bytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}

function duration (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7_200) return `${Math.round(s / 60)} min`
  if (s < 172_800) return `${Math.round(s / 3_600)} h`
  return `${Math.round(s / 86_400)} days`
}
