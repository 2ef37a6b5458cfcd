/**
 * The scale model's arithmetic (scripts/bench/scale-model.ts): what it
 * claims about a desktop node and a relay as the network grows follows from
 * its formulas, and calibrating on figures the model itself produced gives
 * its parameters back. The measurements behind the calibration are the
 * scale bench's (npm run bench -- scale), not this test's.
 */
import assert from 'node:assert/strict'
import {
  ASSUMPTIONS, DEFAULT_CALIBRATION, DHT_REPLICAS, calibrate, cpuLine, desktopBps, modelMarkdown, projected, relayBps, relayCircuitBps,
  type Conditions, type Measured
} from '../../scripts/bench/scale-model.js'

const cal = DEFAULT_CALIBRATION

describe('scale model', () => {
  it('a desktop node costs the same at 10⁴ and 10⁷ users, once there are as many relays as DHT replicas', () => {
    for (const k of ASSUMPTIONS.contacts) {
      const costs = ASSUMPTIONS.users.map(n => desktopBps(projected(n, k), cal))
      assert.ok(projected(ASSUMPTIONS.users[0], k).relays >= DHT_REPLICAS)
      assert.deepEqual(costs, costs.map(() => costs[0]))
    }
  })

  it('a desktop node costs more with more contacts, in proportion to its pushes', () => {
    const at = (k: number): number => desktopBps(projected(1e6, k), cal)
    const perContact = (at(500) - at(100)) / 400
    assert.ok(Math.abs(at(300) - at(100) - 200 * perContact) < 1e-9)
    assert.ok(perContact > 0)
  })

  it('with 100 contacts at 10⁶ users a desktop node stays under 1 kB/s at the default calibration', () => {
    assert.ok(desktopBps(projected(1e6, 100), cal) < 1000)
  })

  it('a relay costs in proportion to its own clients, whatever the network size', () => {
    const relay = (users: number, clients: number): number => {
      const c: Conditions = { ...projected(users, 100), relays: users / clients }
      return relayBps(c, cal)
    }
    for (const n of [1e5, 1e6, 1e7]) {
      assert.ok(Math.abs(relay(n, 200) - 2 * relay(n, 100)) < 1e-6 * relay(n, 100))
      assert.ok(Math.abs(relay(n, 100) - relay(1e5, 100)) < 1e-6 * relay(n, 100))
    }
    assert.ok(Math.abs(relayCircuitBps(projected(1e6, 100), 200, cal) - 2 * relayCircuitBps(projected(1e6, 100), 100, cal)) < 1e-9)
  })

  it('below DHT_REPLICAS relays, every relay serves every change: its cost grows with the network', () => {
    const small = { ...projected(1_000, 100), relays: 5 }
    assert.ok(Math.abs(relayBps({ ...small, users: 2_000 }, cal) - 2 * relayBps(small, cal)) < 1e-9)
  })

  it('calibrating on figures the model produced gives its parameters back', () => {
    const steps: Measured[] = [10, 30, 100, 300].map(n => {
      const c: Conditions = { users: n - Math.ceil(n / 100), relays: Math.ceil(n / 100), contacts: Math.min(20, n - 3), changeIntervalS: 180, onlineShare: 1 }
      const d = desktopBps(c, cal)
      const r = relayBps(c, cal)
      return { ...c, desktopBps: d, desktopCpuPct: 0.2 + d * cal.desktopCpuPerBps, relayBps: r, relayCpuPct: 0.3 + r * cal.relayCpuPerBps }
    })
    const fitted = calibrate(steps, 'synthetic')
    assert.ok(fitted != null)
    const expected = { ...cal, desktopCpuIdlePct: 0.2, relayCpuIdlePct: 0.3 }
    for (const key of ['bytesPerPush', 'desktopCpuIdlePct', 'desktopCpuPerBps', 'relayBytesPerChange', 'relayCpuIdlePct', 'relayCpuPerBps'] as const) {
      assert.ok(Math.abs(fitted[key] - expected[key]) < 1e-9 * expected[key], key)
    }
    assert.equal(calibrate([], 'none'), undefined)
  })

  it('charges the desktop node\'s bytes to the pushes counted in its window where a step counted them', () => {
    // a window that held none of the node's own changes: half the pushes the rates predict, the same bytes per push
    const c: Conditions = { users: 99, relays: 1, contacts: 20, changeIntervalS: 180, onlineShare: 1 }
    const counted = 20 / 180
    const bps = desktopBps(c, cal) - 2 * 20 / 180 * cal.bytesPerPush + counted * cal.bytesPerPush
    const step: Measured = { ...c, desktopBps: bps, desktopCpuPct: 1, relayBps: relayBps(c, cal), relayCpuPct: 1 }
    assert.ok(Math.abs(calibrate([{ ...step, desktopPushesPerS: counted }], 'counted')!.bytesPerPush - cal.bytesPerPush) < 1e-9 * cal.bytesPerPush)
    assert.ok(calibrate([step], 'rates')!.bytesPerPush < 0.6 * cal.bytesPerPush, 'the rates alone would halve it')
  })

  it('fits CPU as rest plus a cost per byte where the steps rise, and charges rest to bytes where they do not', () => {
    const line = cpuLine([{ bps: 100, cpuPct: 0.5 }, { bps: 300, cpuPct: 0.9 }, { bps: 1_100, cpuPct: 2.5 }])
    assert.ok(Math.abs(line.idlePct - 0.3) < 1e-9)
    assert.ok(Math.abs(line.perBps - 0.002) < 1e-12)
    // falling CPU with more bytes is noise, not a negative cost: the median ratio through the origin
    assert.deepEqual(cpuLine([{ bps: 100, cpuPct: 1 }, { bps: 200, cpuPct: 0.8 }, { bps: 400, cpuPct: 0.8 }]), { idlePct: 0, perBps: 0.004 })
    assert.deepEqual(cpuLine([{ bps: 200, cpuPct: 1 }]), { idlePct: 0, perBps: 0.005 })
  })

  it('prints a row per network size and contact count', () => {
    const table = modelMarkdown().split('\n').filter(line => /^\| \d/.test(line))
    assert.equal(table.length, ASSUMPTIONS.users.length * ASSUMPTIONS.contacts.length)
  })
})
