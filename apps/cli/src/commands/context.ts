import type { Cairn, Store } from '@cairn/core'
import type { Output } from '../output.js'

export interface CommandContext {
  cairn: Cairn
  store: Store
  out: Output
  positionals: string[]
  values: Record<string, string | boolean | string[] | undefined>
}

/** A command returns its exit code (0 ok, 1 failure found). */
export type Command = (ctx: CommandContext) => Promise<number>
