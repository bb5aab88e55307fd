/** Human output helpers: colors only on a TTY without NO_COLOR, aligned tables, relative times, sizes. */
export interface Output {
  json: boolean
  color: boolean
  verbose: boolean
  out(text: string): void
  err(text: string): void
}

export function makeOutput(flags: { json: boolean; verbose: boolean; noColor: boolean }): Output {
  const color = !flags.noColor && !flags.json && process.stdout.isTTY === true && !process.env.NO_COLOR
  return {
    json: flags.json,
    color,
    verbose: flags.verbose,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  }
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const
export function paint(out: Output, style: keyof typeof CODES, text: string): string {
  return out.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text
}

const ANSI = /\u001b\[[0-9;]*m/g
const visible = (s: string) => s.replace(ANSI, '').length

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] as number) - visible(c))))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

export function relativeTime(ms: number, now: number = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000)
  const abs = Math.abs(seconds)
  const [value, unit] =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'm']
        : abs < 86_400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86_400), 'd']
  return seconds >= 0 ? `${value}${unit} ago` : `in ${value}${unit}`
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1)} ${units[i]}`
}

export function duration(ms: number): string {
  return ms < 1
    ? `${(ms * 1000).toFixed(0)}µs`
    : ms < 1000
      ? `${ms.toFixed(1)}ms`
      : `${(ms / 1000).toFixed(2)}s`
}

/** A progress bar on stderr, drawn only on a TTY and never in --json mode. */
export function progressBar(out: Output): {
  update(p: { phase: string; done: number; total?: number }): void
  done(): void
} {
  const enabled = !out.json && process.stderr.isTTY === true
  let last = 0
  return {
    update({ phase, done, total }) {
      if (!enabled) return
      const now = Date.now()
      if (now - last < 50 && done !== total) return
      last = now
      const width = 24
      const fill = total ? Math.round((done / total) * width) : 0
      const bar = total ? `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${done}/${total}` : `${done}`
      process.stderr.write(`\r\u001b[2K${phase} ${bar}`)
    },
    done() {
      if (enabled) process.stderr.write('\r\u001b[2K')
    },
  }
}
