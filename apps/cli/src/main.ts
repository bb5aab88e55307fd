#!/usr/bin/env node
/** `cairn`: inspect and maintain a Cairn store. Exit codes: 0 ok, 1 failure, 2 usage. */
import { parseArgs } from 'node:util'
import { Cairn, isCairnError, type Store } from '@cairn/core'
import type { Command } from './commands/context.js'
import { diff, get, history, log, show } from './commands/inspect.js'
import { lineage } from './commands/lineage.js'
import { gc, init, rm, stats, verify } from './commands/maintain.js'
import { makeOutput } from './output.js'
import { MissingPackageError, openStore, storeUrl } from './store-url.js'
import { UsageError } from './usage.js'

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>

const GLOBAL: OptionSpec = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
}

interface Spec {
  run: Command | typeof init
  usage: string
  options?: OptionSpec
  examples: string[]
}

const COMMANDS: Record<string, Spec> = {
  log: {
    run: log,
    usage: 'log [-n N] [--func NAME] [--tag k=v]... [--status completed|failed] [--since 7d] [--before 1h]',
    options: {
      limit: { type: 'string', short: 'n' },
      func: { type: 'string' },
      tag: { type: 'string', multiple: true },
      status: { type: 'string' },
      since: { type: 'string' },
      before: { type: 'string' },
    },
    examples: ['cairn log -n 5', 'cairn log --func clean --tag env=prod --json'],
  },
  show: { run: show, usage: 'show <commit>', examples: ['cairn show 3fa9c1'] },
  get: {
    run: get,
    usage: 'get <commit> [--member PATH] [-o FILE]',
    options: { output: { type: 'string', short: 'o' }, member: { type: 'string' } },
    examples: [
      'cairn get 3fa9c1',
      'cairn get 3fa9c1 -o result.json',
      'cairn get 3fa9c1 | jq .',
      'cairn get 3fa9c1 --member weights -o weights.f32',
    ],
  },
  diff: { run: diff, usage: 'diff <commit-a> <commit-b>', examples: ['cairn diff 3fa9c1 77be02'] },
  history: { run: history, usage: 'history <commit>', examples: ['cairn history 3fa9c1'] },
  lineage: {
    run: lineage,
    usage: 'lineage <commit> [--up|--down|--both] [--depth N]',
    options: {
      up: { type: 'boolean' },
      down: { type: 'boolean' },
      both: { type: 'boolean' },
      depth: { type: 'string' },
    },
    examples: [
      'cairn lineage 3fa9c1',
      'cairn lineage 3fa9c1 --down --depth 2',
      'cairn lineage 3fa9c1 --json',
    ],
  },
  rm: { run: rm, usage: 'rm <commit>...', examples: ['cairn rm 3fa9c1'] },
  gc: {
    run: gc,
    usage: 'gc [--older-than 30d] [--keep N] [--max-size 5GiB] [--dry-run]',
    options: {
      'older-than': { type: 'string' },
      keep: { type: 'string' },
      'max-size': { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    examples: ['cairn gc --older-than 30d --dry-run', 'cairn gc --max-size 2GiB'],
  },
  verify: { run: verify, usage: 'verify', examples: ['cairn verify || echo "store damaged"'] },
  stats: { run: stats, usage: 'stats', examples: ['cairn stats --json'] },
  init: {
    run: init,
    usage: 'init [--store URL] [--force]',
    options: { force: { type: 'boolean' } },
    examples: ['cairn init', 'cairn init --store fs:///data/cairn'],
  },
}

const HELP = `cairn — inspect and maintain a Cairn store

usage: cairn <command> [options]

commands:
${Object.values(COMMANDS)
  .map((spec) => `  ${spec.usage}`)
  .join('\n')}

global options:
  --store URL    fs://.cairn (default), sqlite://path, redis://host:port/db?prefix=, s3://bucket/prefix?endpoint=
                 (else CAIRN_STORE, else cairn.config.json in this directory)
  --json         machine-readable output (one JSON document on stdout)
  --verbose      stack traces on errors
  --no-color     no colors (also NO_COLOR=1; colors are only ever used on a terminal)
  -h, --help     this help, or a command's: cairn <command> --help

exit codes: 0 ok, 1 failure (an error, or verify found damage), 2 usage`

async function main(argv: string[]): Promise<number> {
  const name = argv[0]
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`)
    return name ? 0 : 2
  }
  if (name === '--version') {
    process.stdout.write('cairn 0.0.0\n')
    return 0
  }
  const spec = COMMANDS[name]
  if (!spec) throw new UsageError(`unknown command "${name}"; see cairn --help`)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: { ...GLOBAL, ...spec.options },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: cairn ${spec.usage}`)
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>
  if (values.help) {
    process.stdout.write(
      `usage: cairn ${spec.usage}\n\nexamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}\n`,
    )
    return 0
  }
  const out = makeOutput({
    json: values.json === true,
    verbose: values.verbose === true,
    noColor: values['no-color'] === true,
  })
  const { url } = storeUrl(values.store as string | undefined)
  // Only init creates a store: every other command opens an existing one, and says so when there is none.
  const store: Store = await openStore(url, { create: spec.run === init })
  const cairn = new Cairn({ store })
  try {
    return await spec.run({ cairn, store, out, positionals: parsed.positionals, values, url })
  } finally {
    await cairn.close()
    await store.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const verbose = process.argv.includes('--verbose')
    if (error instanceof UsageError) {
      process.stderr.write(`cairn: ${error.message}\n`)
      process.exitCode = 2
      return
    }
    const code = isCairnError(error)
      ? `${error.code}: `
      : error instanceof MissingPackageError
        ? ''
        : `${(error as Error)?.name ?? 'Error'}: `
    process.stderr.write(`cairn: ${code}${(error as Error)?.message ?? String(error)}\n`)
    if (verbose && (error as Error)?.stack) process.stderr.write(`${(error as Error).stack}\n`)
    process.exitCode = 1
  },
)
