import assert from 'node:assert/strict'
import fc from 'fast-check'
import { detectType, suggestedName, unsafeName } from '../../src/cli/mime-type.js'

describe('file types and suggested names', () => {
  it('tells the type from the content first, then the name', () => {
    const utf8 = new TextEncoder().encode('héllo\n')
    assert.equal(detectType('/tmp/a.txt', utf8), 'text/plain; charset=utf-8; name="a.txt"')
    assert.equal(detectType('notes', utf8), 'text/plain; charset=utf-8; name="notes"')
    assert.equal(detectType('data.json', new TextEncoder().encode('{}')), 'application/json; charset=utf-8; name="data.json"')
    assert.equal(detectType('photo.txt', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0])), 'image/jpeg; name="photo.txt"')
    assert.equal(detectType('x.pdf', new TextEncoder().encode('%PDF-1.7')), 'application/pdf; name="x.pdf"')
    assert.equal(detectType('sheet.xlsx', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0])), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name="sheet.xlsx"')
    assert.equal(detectType('a.zip.txt', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0])), 'application/zip; name="a.zip.txt"')
    // a name promising text, binary content: octets
    assert.equal(detectType('fake.txt', Uint8Array.from([0, 1, 2, 0xfe])), 'application/octet-stream; name="fake.txt"')
    assert.equal(detectType('say "hi".txt', utf8), 'text/plain; charset=utf-8; name="say \\"hi\\".txt"')
  })

  it('reads back the name it wrote, and refuses names that leave the directory', () => {
    assert.equal(suggestedName(detectType('say "hi".txt', new Uint8Array())), 'say "hi".txt')
    assert.equal(suggestedName('image/png; filename=pic.png'), 'pic.png')
    assert.equal(suggestedName('image/png'), undefined)
    for (const bad of ['../x', 'a/b', '..', '.bashrc', 'c:\\x', '', 'a\nb']) assert.ok(unsafeName(bad) != null, bad)
    assert.equal(unsafeName('report 2026.pdf'), undefined)
  })

  it('never throws on any Content-Type, and a name it accepts has no separator and no leading dot', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (type, name) => {
      for (const input of [type, `text/plain; name="${name}"`, `text/plain; name=${name}`]) {
        const suggested = suggestedName(input)
        if (suggested != null && unsafeName(suggested) == null) {
          assert.ok(!/[/\\]/.test(suggested) && !suggested.startsWith('.'))
        }
      }
    }))
  })
})
