import { createWriteStream } from 'node:fs'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CairnError, type Commit, ErrorCode, notFound } from '@cairn/core'
import { bytes, duration, paint, relativeTime, table } from '../output.js'
import { parseCount, parseDuration, parseTags, UsageError } from '../usage.js'
import type { Command, CommandContext } from './context.js'

export function one(ctx: CommandContext, what: string): string {
  const [value, extra] = ctx.positionals
  if (!value || extra !== undefined) throw new UsageError(`expected exactly one ${what}`)
  return value
}

function outputSummary(c: Commit): string {
  if (c.status === 'failed') return `${c.error?.name}: ${c.error?.message}`.slice(0, 60)
  const o = c.output
  if (!o || o.kind === 'undefined') return 'undefined'
  if (o.kind === 'inline') return JSON.stringify(o.value).slice(0, 40)
  if (o.kind === 'bundle') return `bundle of ${o.entries.length} (${o.container})`
  const packager = (o.instructions?.packager as { id?: string } | undefined)?.id
  return `${packager ?? 'blob'} ${o.blob.hash.slice(0, 10)} (${bytes(o.blob.size)})`
}

type Output = NonNullable<Commit['output']>

/** One line on how a blob was packed: packager and version, the packager's fields, serializer, runtime, library. */
function packing(o: Extract<Output, { kind: 'blob' }>): string {
  const i = o.instructions
  if (!i) return `serializer ${o.serializer}`
  const { packager, serializer, runtime, library, artifactType, ...own } = i as Record<string, any>
  const parts = [`${packager?.id} ${packager?.version}`, `${artifactType}`]
  for (const [k, v] of Object.entries(own)) parts.push(`${k} ${JSON.stringify(v)}`)
  if (serializer) parts.push(`serializer ${serializer.id} ${serializer.version}`)
  if (library) parts.push(`library ${library.name} ${library.version}`)
  if (runtime) parts.push(`${runtime.name} ${runtime.version}`)
  return parts.join(', ')
}

/** Every leaf of an output with its path inside bundles (`weights`, `layers.0.w`), for `show`. */
function members(o: Output, path: string[] = []): [string, Output][] {
  if (o.kind !== 'bundle') return [[path.join('.'), o]]
  return o.entries.flatMap(([key, member]) => members(member, [...path, key]))
}

function leafSummary(o: Output): string {
  if (o.kind === 'undefined') return 'undefined'
  if (o.kind === 'inline') return `inline ${JSON.stringify(o.value).slice(0, 40)}`
  if (o.kind === 'bundle') return `bundle of ${o.entries.length} (${o.container})` // members() flattens these
  return `${o.blob.hash.slice(0, 10)} (${bytes(o.blob.size)}) ${packing(o)}`
}

function commitRows(ctx: CommandContext, commits: Commit[]): string {
  return table(
    ['commit', 'task', 'status', 'created', 'took', 'output'],
    commits.map((c) => [
      paint(ctx.out, 'yellow', c.hash.slice(0, 12)),
      c.task.name,
      c.status === 'completed' ? paint(ctx.out, 'green', 'completed') : paint(ctx.out, 'red', 'failed'),
      relativeTime(c.createdAt),
      duration(c.durationMs),
      outputSummary(c),
    ]),
  )
}

export const log: Command = async (ctx) => {
  const v = ctx.values
  if (ctx.positionals.length > 0) throw new UsageError('log takes no arguments')
  const status = v.status as string | undefined
  if (status !== undefined && status !== 'completed' && status !== 'failed') {
    throw new UsageError('--status is completed or failed')
  }
  const before = v.before ? Date.now() - parseDuration(v.before as string, '--before') : undefined
  const since = v.since ? Date.now() - parseDuration(v.since as string, '--since') : undefined
  const limit = v.limit === undefined ? 20 : parseCount(v.limit as string, '-n')
  let commits = await ctx.cairn.log({
    func: v.func as string | undefined,
    tags: parseTags(v.tag as string[] | undefined),
    status: status as Commit['status'] | undefined,
    before,
    limit: since === undefined ? limit : undefined,
  })
  if (since !== undefined) commits = commits.filter((c) => c.createdAt >= since).slice(0, limit)
  if (ctx.out.json) ctx.out.out(JSON.stringify(commits))
  else ctx.out.out(commits.length === 0 ? 'no commits' : commitRows(ctx, commits))
  return 0
}

export const show: Command = async (ctx) => {
  const c = await ctx.cairn.show(one(ctx, 'commit hash or prefix'))
  if (ctx.out.json) {
    ctx.out.out(JSON.stringify(c))
    return 0
  }
  const o = ctx.out
  const field = (name: string, value: string) => o.out(`${paint(o, 'bold', name.padEnd(11))}${value}`)
  field('commit', paint(o, 'yellow', c.hash))
  field('task', `${c.task.name}${c.task.version ? ` (version ${c.task.version})` : ''}`)
  field('function', c.task.funcHash)
  field('status', c.status === 'completed' ? paint(o, 'green', c.status) : paint(o, 'red', c.status))
  field('created', `${new Date(c.createdAt).toISOString()} (${relativeTime(c.createdAt)})`)
  field('took', duration(c.durationMs))
  field('args', c.task.argsPreview)
  if (c.task.argsBlob)
    field(
      'args blob',
      `${c.task.argsBlob.hash} (${bytes(c.task.argsBlob.size)}, ${c.task.argsBlob.serializer})`,
    )
  field('output', outputSummary(c))
  if (c.output?.kind === 'blob') field('packed', packing(c.output))
  if (c.output?.kind === 'bundle') {
    for (const [path, member] of members(c.output)) field('member', `${path}: ${leafSummary(member)}`)
  }
  if (c.parent) field('parent', c.parent)
  for (const input of c.inputs) field('input', input)
  for (const [k, val] of Object.entries(c.tags)) field('tag', `${k}=${val}`)
  if (c.salt) field('cache', 'off (salted run)')
  for (const name of c.task.unkeyedFreeVariables ?? [])
    field('unkeyed', `${name} (allowed by allowFreeVariables; not part of the key)`)
  if (c.error?.stack && o.verbose) field('stack', c.error.stack)
  o.out(`\n${paint(o, 'dim', '--- source ---')}\n${c.task.source}`)
  return 0
}

/**
 * Writes the output of a commit: the stored bytes as they are (streamed and verified) to `-o FILE`
 * or a pipe; decoded and pretty-printed on a terminal (or with --json, as the JSON value).
 * `--member PATH` picks one member of a bundle (the path `show` prints), treated the same way.
 */
export const get: Command = async (ctx) => {
  const c = await ctx.cairn.show(one(ctx, 'commit hash or prefix'))
  const file = ctx.values.output as string | undefined
  const member = ctx.values.member as string | undefined
  const raw = file !== undefined || (!process.stdout.isTTY && !ctx.out.json)
  if (c.status !== 'completed' || !c.output) {
    await ctx.cairn.get(c.hash) // throws the coded "failed, no output" error
    return 1
  }
  const [keys, output] = member === undefined ? [[], c.output] : findMember(c, member)
  if (raw && output.kind === 'blob') {
    const source = ctx.store.openBlob(output.blob.hash)
    const sink = file
      ? createWriteStream(file)
      : new Writable({ write: (chunk, _e, cb) => process.stdout.write(chunk, cb) })
    await pipeline(source, sink)
    return 0
  }
  // Inline values and bundles are printed as JSON (typed arrays and bytes as arrays of numbers).
  let value = await ctx.cairn.get(c.hash)
  for (const key of keys) value = (value as Record<string, unknown>)[key]
  const text = value === undefined ? 'undefined' : JSON.stringify(value, viewsAsArrays, raw ? undefined : 2)
  if (file) await pipeline([text], createWriteStream(file))
  else ctx.out.out(text)
  return 0
}

/** The bundle member at a dotted path (`weights`, `layers.0.w`): its keys from the root, and its output. */
function findMember(c: Commit, path: string): [string[], Output] {
  const found: [string[], Output][] = []
  const walk = (o: Output, keys: string[]) => {
    if (keys.length > 0 && keys.join('.') === path) found.push([keys, o])
    if (o.kind === 'bundle') for (const [key, m] of o.entries) walk(m, [...keys, key])
  }
  walk(c.output as Output, [])
  if (found.length === 1) return found[0] as [string[], Output]
  if (found.length > 1) {
    throw new CairnError(ErrorCode.Ambiguous, `member path "${path}" names ${found.length} members`, {
      details: { commit: c.hash, member: path },
    })
  }
  throw notFound(
    c.output?.kind === 'bundle'
      ? `commit ${c.hash.slice(0, 12)} has no member "${path}" (cairn show lists them)`
      : `commit ${c.hash.slice(0, 12)} is not a bundle; it has no member "${path}"`,
    { commit: c.hash, member: path },
  )
}

function viewsAsArrays(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (n) =>
      typeof n === 'bigint' ? String(n) : n,
    )
  }
  return value
}

export const history: Command = async (ctx) => {
  const commits = await ctx.cairn.history(one(ctx, 'commit hash or prefix'))
  if (ctx.out.json) ctx.out.out(JSON.stringify(commits))
  else ctx.out.out(commitRows(ctx, commits))
  return 0
}

export const diff: Command = async (ctx) => {
  const [a, b, extra] = ctx.positionals
  if (!a || !b || extra !== undefined) throw new UsageError('diff takes two commit hashes or prefixes')
  const d = await ctx.cairn.diff(a, b)
  if (ctx.out.json) {
    ctx.out.out(JSON.stringify(d))
    return 0
  }
  const o = ctx.out
  const mark = (changed: boolean) => (changed ? paint(o, 'yellow', 'changed') : paint(o, 'dim', 'same'))
  o.out(`${d.a.slice(0, 12)} → ${d.b.slice(0, 12)}${d.sameCall ? ' (same call)' : ''}`)
  o.out(
    table(
      ['', 'change', 'a', 'b'],
      [
        [
          'function',
          mark(d.function.changed),
          d.function.a.funcHash.slice(0, 12),
          d.function.b.funcHash.slice(0, 12),
        ],
        ['args', mark(d.args.changed), d.args.a.preview.slice(0, 40), d.args.b.preview.slice(0, 40)],
        [
          'output',
          mark(d.output.changed),
          d.output.a.hash?.slice(0, 12) ?? '-',
          d.output.b.hash?.slice(0, 12) ?? '-',
        ],
        ['status', mark(d.status.changed), d.status.a, d.status.b],
        [
          'took',
          `${d.timing.deltaMs >= 0 ? '+' : ''}${duration(Math.abs(d.timing.deltaMs))}`,
          duration(d.timing.a),
          duration(d.timing.b),
        ],
      ],
    ),
  )
  if (d.function.changed && d.function.a.source !== d.function.b.source) {
    o.out(`\n${paint(o, 'red', `- ${d.function.a.source.split('\n').join('\n- ')}`)}`)
    o.out(paint(o, 'green', `+ ${d.function.b.source.split('\n').join('\n+ ')}`))
  }
  return 0
}
