/** Bad command-line input: reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

/** `30d`, `12h`, `90m`, `45s`, `500ms`, or a number of milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim())
  if (!match) throw new UsageError(`${flag} takes a duration like 30d, 12h, 90m or 45s, got "${text}"`)
  return Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number)
}

const SIZES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** `500MB`, `2GiB`, `1024`: a size in bytes. */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim())
  const unit = (match?.[2] ?? '').toLowerCase() || 'b'
  if (!match || SIZES[unit] === undefined)
    throw new UsageError(`${flag} takes a size like 500MB or 2GiB, got "${text}"`)
  return Math.floor(Number(match[1]) * (SIZES[unit] as number))
}

export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, got "${text}"`)
  return Number(text)
}

/** `key=value` tags, repeatable. */
export function parseTags(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined
  const tags: Record<string, string> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq <= 0) throw new UsageError(`--tag takes key=value, got "${v}"`)
    tags[v.slice(0, eq)] = v.slice(eq + 1)
  }
  return tags
}
