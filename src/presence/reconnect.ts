/**
 * Staying in touch: our addresses changing, and the node coming back after
 * losing every connection or being suspended, when it says it is open again
 * and renews its subscriptions.
 */
import type { PresenceRecord } from './record.js'
import type { Libp2pEvents, Logger, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager } from '@libp2p/interface-internal'

/** Address changes come in bursts (listeners, relay reservations): publish once they settle */
const ADDRESS_SETTLE_MS = 1_000
/**
 * How often the node checks that it was not suspended (a laptop's sleep,
 * SIGSTOP): a tick that comes SLEPT_MS late means the process did not run.
 * A local timer only: nothing goes on the wire.
 */
const WAKE_CHECK_MS = 5_000
const SLEPT_MS = 5_000
/** After waking, let the connections that died meanwhile close before catching up */
const WAKE_SETTLE_MS = 2_000

export interface ReconnectComponents {
  connectionManager: ConnectionManager
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
}

/** What reconnecting uses of the presence service */
export interface ReconnectParts {
  running: () => boolean
  /** Our current record, if we have published one */
  current: () => PresenceRecord | undefined
  /** Publish our state again (new addresses, a newer record than our will) */
  republish: () => Promise<unknown>
  /** Renew with everyone we watch */
  resync: () => Promise<void>
}

export class Reconnect {
  private readonly components: ReconnectComponents
  private readonly parts: ReconnectParts
  private readonly log: Logger
  private addressTimer?: ReturnType<typeof setTimeout>
  private wakeTimer?: ReturnType<typeof setInterval>
  private lastTick = 0
  /** We lost every connection (slept, network gone): catch up when connected again */
  private cutOff = false

  constructor (components: ReconnectComponents, parts: ReconnectParts, log: Logger) {
    this.components = components
    this.parts = parts
    this.log = log
  }

  start (): void {
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.components.events.addEventListener('self:peer:update', this.onAddressChange)
    this.lastTick = Date.now()
    this.wakeTimer = setInterval(this.checkAwake, WAKE_CHECK_MS)
    this.wakeTimer.unref?.()
  }

  stop (): void {
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    this.components.events.removeEventListener('self:peer:update', this.onAddressChange)
    clearTimeout(this.addressTimer)
    clearInterval(this.wakeTimer)
  }

  /** A peer was identified: we are connected again, if we had been cut off */
  onIdentify (): void {
    if (this.cutOff) this.catchUp()
  }

  /**
   * Our record carries our addresses (relay circuits included): when they
   * change, watchers and senders must learn the new ones.
   */
  private readonly onAddressChange = (): void => {
    clearTimeout(this.addressTimer)
    this.addressTimer = setTimeout(() => {
      const published = this.parts.current()
      if (!this.parts.running() || published?.basic !== 'open') return
      const now = this.components.addressManager.getAddresses().map(ma => ma.toString()).sort().join()
      if (now === published.addresses.map(ma => ma.toString()).sort().join()) return
      this.parts.republish().catch(err => this.log.error('republish after an address change failed - %e', err))
    }, ADDRESS_SETTLE_MS)
    this.addressTimer.unref?.()
  }

  /**
   * We were suspended: the neighbours may have given up on us and published
   * our will, even if a connection of ours survived (then no cut-off shows
   * it). Catch up once the connections that died meanwhile have closed.
   */
  private readonly checkAwake = (): void => {
    const now = Date.now()
    const gap = now - this.lastTick
    this.lastTick = now
    if (gap <= WAKE_CHECK_MS + SLEPT_MS) return
    this.log('woke up: no timer ran for %d ms', gap)
    setTimeout(() => {
      if (this.components.connectionManager.getConnections().length > 0) this.catchUp()
      else this.cutOff = true
    }, WAKE_SETTLE_MS).unref?.()
  }

  private readonly onDisconnect = (): void => {
    if (this.parts.running() && this.components.connectionManager.getConnections().length === 0) this.cutOff = true
  }

  /**
   * Connected again after losing every connection — the laptop slept, the
   * network went or the address changed. Meanwhile our holders may have
   * pushed our will, and pushes to us failed (the presentities skip us now).
   * Say we are open again (a newer record than the will), and renew with
   * everyone we watch: the renewals bring their current state.
   */
  private catchUp (): void {
    this.cutOff = false
    if (!this.parts.running()) return
    this.log('connected again after being cut off, catching up')
    if (this.parts.current()?.basic === 'open') this.parts.republish().catch(err => this.log.error('republish after being cut off failed - %e', err))
    this.parts.resync().catch(err => this.log.error('catching up with subscriptions failed - %e', err))
  }
}
