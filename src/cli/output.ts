/**
 * Printing results: readable text by default, JSON with `--json`.
 */
export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => typeof v === 'bigint' ? v.toString() : v) + '\n')
}

export function print (line = ''): void {
  process.stdout.write(line + '\n')
}

/** Aligned `label: value` lines */
export function printFields (fields: Array<[string, string | string[]]>): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 2
  for (const [label, value] of fields) {
    const values = Array.isArray(value) ? value : [value]
    const head = `${label}:`.padEnd(width)
    if (values.length === 0) {
      print(`${head}(none)`)
      continue
    }
    values.forEach((v, i) => print(`${i === 0 ? head : ' '.repeat(width)}${v}`))
  }
}
