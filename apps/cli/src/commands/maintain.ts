import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytes, paint, progressBar, table } from '../output.js'
import { CONFIG_FILE } from '../store-url.js'
import { parseCount, parseDuration, parseSize, UsageError } from '../usage.js'
import type { Command } from './context.js'

export const rm: Command = async (ctx) => {
  if (ctx.positionals.length === 0) throw new UsageError('rm takes one or more commit hashes or prefixes')
  const removed = []
  for (const ref of ctx.positionals) removed.push((await ctx.cairn.rm(ref)).hash)
  if (ctx.out.json) ctx.out.out(JSON.stringify({ removed }))
  else for (const hash of removed) ctx.out.out(`removed ${hash} (its blobs go at the next gc)`)
  return 0
}

export const gc: Command = async (ctx) => {
  if (ctx.positionals.length > 0) throw new UsageError('gc takes no arguments')
  const v = ctx.values
  const bar = progressBar(ctx.out)
  const report = await ctx.cairn.gc({
    olderThan: v['older-than'] ? parseDuration(v['older-than'] as string, '--older-than') : undefined,
    keep: v.keep ? parseCount(v.keep as string, '--keep') : undefined,
    maxBytes: v['max-size'] ? parseSize(v['max-size'] as string, '--max-size') : undefined,
    dryRun: v['dry-run'] === true,
    onProgress: bar.update,
  })
  bar.done()
  if (ctx.out.json) {
    ctx.out.out(JSON.stringify(report))
    return 0
  }
  const verb = report.dryRun ? 'would remove' : 'removed'
  ctx.out.out(
    `${verb} ${report.commitsRemoved.length} commits and ${report.blobsRemoved} blobs (${bytes(report.bytesFreed)}); ` +
      `kept ${report.commitsKept} commits and ${report.blobsKept} blobs; ${verb} ${report.leasesReclaimed} abandoned leases`,
  )
  return 0
}

export const verify: Command = async (ctx) => {
  if (ctx.positionals.length > 0) throw new UsageError('verify takes no arguments')
  const bar = progressBar(ctx.out)
  const report = await ctx.cairn.verify({ onProgress: bar.update })
  bar.done()
  if (ctx.out.json) ctx.out.out(JSON.stringify(report))
  else {
    ctx.out.out(
      `checked ${report.blobsChecked} blobs (${bytes(report.bytesChecked)}) and ${report.commitsChecked} commits`,
    )
    for (const hash of report.corrupt) ctx.out.out(paint(ctx.out, 'red', `corrupt blob ${hash}: quarantined`))
    for (const m of report.missing)
      ctx.out.out(paint(ctx.out, 'red', `commit ${m.commit}: ${m.role} blob ${m.blob} is missing`))
    ctx.out.out(report.ok ? paint(ctx.out, 'green', 'ok') : paint(ctx.out, 'red', 'problems found'))
  }
  return report.ok ? 0 : 1
}

export const stats: Command = async (ctx) => {
  if (ctx.positionals.length > 0) throw new UsageError('stats takes no arguments')
  const s = await ctx.cairn.stats()
  if (ctx.out.json) ctx.out.out(JSON.stringify(s))
  else
    ctx.out.out(
      table(
        ['commits', 'completed', 'failed', 'blobs', 'blob bytes', 'refs', 'leases'],
        [
          [
            String(s.commits),
            String(s.completed),
            String(s.failed),
            String(s.blobs),
            bytes(s.blobBytes),
            String(s.refs),
            String(s.leases),
          ],
        ],
      ),
    )
  return 0
}

/** Writes cairn.config.json naming the store (the store itself is created when it is opened). */
export const init = async (ctx: Parameters<Command>[0] & { url: string }): Promise<number> => {
  const path = join(process.cwd(), CONFIG_FILE)
  if (existsSync(path) && ctx.values.force !== true)
    throw new UsageError(`${CONFIG_FILE} exists; use --force to replace it`)
  writeFileSync(path, `${JSON.stringify({ store: ctx.url }, null, 2)}\n`)
  const s = await ctx.store.stats()
  if (ctx.out.json) ctx.out.out(JSON.stringify({ config: path, store: ctx.url, ...s }))
  else ctx.out.out(`wrote ${CONFIG_FILE}: store ${ctx.url} (${s.commits} commits)`)
  return 0
}
