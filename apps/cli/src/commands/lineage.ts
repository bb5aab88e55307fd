import type { Hash, LineageDirection, LineageGraph } from '@cairn/core'
import { type Output, paint, relativeTime, table } from '../output.js'
import { parseCount, UsageError } from '../usage.js'
import type { Command } from './context.js'
import { one } from './inspect.js'

/** `--up`, `--down` or `--both` (the default); more than one is a usage error. */
function directionOf(values: Record<string, unknown>): LineageDirection {
  const chosen = (
    [
      ['up', 'upstream'],
      ['down', 'downstream'],
      ['both', 'both'],
    ] as const
  ).filter(([flag]) => values[flag] === true)
  if (chosen.length > 1) throw new UsageError('give one of --up, --down, --both')
  return chosen[0]?.[1] ?? 'both'
}

/**
 * `cairn lineage <commit>`: what a commit consumed (upstream) and what consumed it (downstream), as
 * an indented tree per direction, or with --json the exact graph `cairn.lineage` returns.
 */
export const lineage: Command = async (ctx) => {
  const direction = directionOf(ctx.values)
  const depth = ctx.values.depth === undefined ? undefined : parseCount(ctx.values.depth as string, '--depth')
  const graph = await ctx.cairn.lineage(one(ctx, 'commit hash or prefix'), { direction, depth })
  if (ctx.out.json) {
    ctx.out.out(JSON.stringify(graph))
    return 0
  }
  const sections: ['upstream' | 'downstream', string][] = [
    ['upstream', 'what it consumed'],
    ['downstream', 'what consumed it'],
  ]
  const shown = sections.filter(([way]) => direction === 'both' || direction === way)
  ctx.out.out(
    shown
      .map(([way, what]) => `${way} of ${graph.root.slice(0, 12)} (${what}):\n${tree(ctx.out, graph, way)}`)
      .join('\n\n'),
  )
  if (graph.truncated) ctx.out.out(paint(ctx.out, 'dim', `\nmore lies beyond --depth ${depth}`))
  return 0
}

/**
 * One direction as rows under the root: each commit's inputs (upstream) or consumers (downstream)
 * indented under it. A commit reached a second way is listed again, marked, and not expanded.
 */
function tree(out: Output, graph: LineageGraph, way: 'upstream' | 'downstream'): string {
  const children = new Map<Hash, Hash[]>()
  for (const [from, to] of graph.edges) {
    const [parent, child] = way === 'upstream' ? [to, from] : [from, to]
    children.set(parent, [...(children.get(parent) ?? []), child])
  }
  const rows: string[][] = []
  const seen = new Set<Hash>()
  const visit = (hash: Hash, lead: string, branch: string) => {
    const node = graph.nodes[hash]
    const again = seen.has(hash)
    seen.add(hash)
    const label = `${lead}${branch}${paint(out, 'yellow', hash.slice(0, 12))}`
    if (!node || node.missing) {
      rows.push([label, '', paint(out, 'red', 'missing'), '', 'not in the store (deleted?)'])
      return
    }
    const status = paint(out, node.status === 'completed' ? 'green' : 'red', node.status)
    rows.push([label, node.name, status, relativeTime(node.createdAt), again ? 'listed above' : ''])
    if (again) return
    const next = children.get(hash) ?? []
    const indent = lead + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ')
    next.forEach((child, i) => {
      visit(child, indent, i === next.length - 1 ? '└─ ' : '├─ ')
    })
  }
  visit(graph.root, '', '')
  return table(['commit', 'task', 'status', 'created', 'note'], rows)
}
