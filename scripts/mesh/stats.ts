/**
 * Percentiles and the plain-text tables both commands print. Medians and
 * tail percentiles only: on a shared, noisy 2-core machine a mean says
 * little.
 */

export interface Summary {
  n: number
  p50: number
  p95: number
  p99: number
}

/** Nearest-rank percentiles (with few samples p99 is simply the maximum) */
export function summarize (samples: number[]): Summary | undefined {
  if (samples.length === 0) return undefined
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
  return { n: sorted.length, p50: round(rank(0.5)), p95: round(rank(0.95)), p99: round(rank(0.99)) }
}

export function round (value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

export function formatSummary (s: Summary | undefined, unit = 'ms'): string {
  if (s == null) return 'no samples'
  if (s.n === 1) return `${s.p50} ${unit}  (one sample)`
  return `p50 ${s.p50} ${unit}  p95 ${s.p95} ${unit}  p99 ${s.p99} ${unit}  (n=${s.n})`
}

/** `p50 · p95 · p99 unit`, the bench's compact form */
export function formatTriple (s: Summary | undefined, unit: string): string {
  return s == null ? '–' : `${s.p50} · ${s.p95} · ${s.p99} ${unit}`
}

/** Ours over the baseline: ×1 means no overhead */
export function formatRatio (ours: number, baseline: number): string {
  return baseline > 0 ? `×${round(ours / baseline, 2)}` : '–'
}

/** Columns padded to their widest cell, for a terminal */
export function textTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** The same table in Markdown, for docs/BENCHMARKS.md */
export function markdownTable (header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
