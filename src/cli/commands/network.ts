/**
 * `pmesh id`, `pmesh peers`, `pmesh connect`: the node and its connections.
 */
import { ApiClient } from '../../api/client.js'
import { parse } from '../args.js'
import { print, printFields, printJson } from '../output.js'
import type { Command } from '../main.js'

export const id: Command = {
  usage: 'pmesh id [--home DIR] [--json]',
  summary: 'show this node\'s address, peer id and listen addresses',
  run: async argv => {
    const { values, home } = parse(argv, {}, { min: 0, max: 0 })
    const me = await (await ApiClient.fromHome(home)).call('id')
    if (values.json === true) {
      printJson(me)
      return
    }
    printFields([['uri', me.uri], ['im', me.imUri], ['peer id', me.peerId], ['addresses', me.addresses], ['dht', me.dht]])
  }
}

export const peers: Command = {
  usage: 'pmesh peers [--home DIR] [--json]',
  summary: 'list open connections',
  run: async argv => {
    const { values, home } = parse(argv, {}, { min: 0, max: 0 })
    const { peers } = await (await ApiClient.fromHome(home)).call('peers')
    if (values.json === true) {
      printJson(peers)
      return
    }
    if (peers.length === 0) print('no connections')
    for (const peer of peers) {
      print(`${peer.peerId}  ${peer.direction.padEnd(8)} ${peer.address}${peer.limited === true ? '  (relayed, limited)' : ''}`)
    }
  }
}

export const connect: Command = {
  usage: 'pmesh connect MULTIADDR [--home DIR] [--json]',
  summary: 'dial a peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3…',
  run: async argv => {
    const { values, positionals, home } = parse(argv, {}, { min: 1, max: 1 })
    const result = await (await ApiClient.fromHome(home)).call('connect', { body: { multiaddr: positionals[0] } })
    if (values.json === true) printJson(result)
    else print(`connected to ${result.peerId} at ${result.address}`)
  }
}
