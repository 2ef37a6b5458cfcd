/**
 * contrib/systemd's relay unit, as systemd itself reads it: `systemd-analyze
 * verify` (every key known, the command runnable) and `systemd-analyze
 * security` (the hardening, scored). Skipped, saying why, where systemd's
 * tools are not installed.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../helpers/temp.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')
const UNIT = join(ROOT, 'contrib/systemd/presence-mesh-relay.service')
const ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0

describe('the systemd unit of a relay', function () {
  this.timeout(60_000)

  before(function () {
    if (!ANALYZE) {
      console.log('      skipped: systemd-analyze is not installed (Debian package "systemd")')
      this.skip()
    }
  })

  /** The unit with its paths pointing at this checkout, where the commands it names exist */
  async function unitHere (edit: (text: string) => string = text => text): Promise<{ path: string, remove(): Promise<void> }> {
    const dir = await tempDir()
    const path = join(dir.path, 'presence-mesh-relay.service')
    await writeFile(path, edit((await readFile(UNIT, 'utf8')).replaceAll('/opt/presence-mesh', ROOT)))
    return { path, remove: dir.remove }
  }

  it('passes systemd-analyze verify without a warning', async () => {
    const unit = await unitHere()
    try {
      const result = spawnSync('systemd-analyze', ['verify', unit.path], { encoding: 'utf8', cwd: ROOT })
      assert.equal(result.status, 0, result.stderr)
      assert.equal(`${result.stdout}${result.stderr}`.trim(), '')
      // the check can fail: a misspelt key is reported
      const typo = await unitHere(text => text.replace('NoNewPrivileges=', 'NoNewPrivilege='))
      try {
        assert.match(spawnSync('systemd-analyze', ['verify', typo.path], { encoding: 'utf8', cwd: ROOT }).stderr, /Unknown key 'NoNewPrivilege'/)
      } finally {
        await typo.remove()
      }
    } finally {
      await unit.remove()
    }
  })

  it('is hardened: DynamicUser, StateDirectory, NoNewPrivileges, ProtectSystem, exposure 2.0 or less', async function () {
    const text = await readFile(UNIT, 'utf8')
    for (const setting of ['DynamicUser=yes', 'StateDirectory=presence-mesh', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'CapabilityBoundingSet=\n']) {
      assert.ok(text.includes(setting), setting)
    }
    const unit = await unitHere()
    try {
      const result = spawnSync('systemd-analyze', ['security', '--offline=true', unit.path], { encoding: 'utf8', cwd: ROOT })
      if (result.status !== 0 && /offline/.test(result.stderr)) {
        console.log('      skipped the exposure score: this systemd-analyze has no --offline (systemd 252 or newer)')
        return
      }
      const score = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)
      assert.ok(score != null, result.stdout + result.stderr)
      assert.ok(Number(score[1]) <= 2.0, `exposure ${score[1]}`)
    } finally {
      await unit.remove()
    }
  })
})
