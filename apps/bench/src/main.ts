/**
 * `pnpm bench [-- --quick] [-- --only=fs,serializers,msgpack-contract,stores,stream-result]`: runs each suite in its
 * own process (so one suite's heap and JIT state do not colour the next) and stops at the first that
 * fails.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const suites = ['fs', 'serializers', 'msgpack-contract', 'stores', 'stream-result']
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const passOn = process.argv.slice(2).filter((arg) => !arg.startsWith('--only='))
for (const suite of only ?? suites) {
  if (!suites.includes(suite)) throw new Error(`unknown suite ${suite}; known: ${suites.join(', ')}`)
  const file = fileURLToPath(new URL(`./${suite}.js`, import.meta.url))
  execFileSync(process.execPath, [file, ...passOn], { stdio: 'inherit' })
}
