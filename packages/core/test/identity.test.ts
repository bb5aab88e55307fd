import { describe, expect, it } from 'vitest'
import {
  ErrorCode,
  FUNCTION_IDENTITY,
  type FunctionIdentity,
  functionIdentity,
  isCairnError,
  normalizeSource,
} from '../src/index.js'

/** Builds a function from source text, so spellings of one function can be compared. */
function compile(source: string): Function {
  return new Function(`return (${source}\n)`)()
}
const idOf = (source: string, options = {}) => functionIdentity(compile(source), options)
const hashOf = (source: string, options = {}) => idOf(source, options).hash

function codeOf(action: () => unknown): string | undefined {
  try {
    action()
  } catch (error) {
    return isCairnError(error) ? error.code : `uncoded: ${String(error)}`
  }
  return undefined
}

describe('function identity: formatting does not matter', () => {
  const same: [string, string][] = [
    ['(x) => x + 1', '(x)=>x+1'],
    ['(x) => x + 1', '(x) => /* comment */ x + 1 // trailing'],
    ['function f(a, b) { return a * b; }', 'function f(a,b){\n  // why\n  return a * b\n}'],
    ["(s) => s + 'a'", '(s) => s + "a"'],
    ['(n) => n * 1000', '(n) => n * 1e3'],
    ['(o) => ({ a: 1, b: [1, 2] })', '(o) => ({ a: 1, b: [1, 2,], })'],
    ['(x) => (x + 1) * 2', '(x) => ((x + 1)) * (2)'],
    ['async (x) => { await x; return 1 }', 'async (x) => {\n  await x\n  return 1\n}'],
    ['(x) => `a${x}b`', '(x) => `a${ x }b`'],
  ]
  for (const [a, b] of same) {
    it(`${a}  ≡  ${b.replace(/\n/g, '⏎')}`, () => {
      expect(hashOf(b)).toBe(hashOf(a))
      expect(normalizeSource(b)).toBe(normalizeSource(a))
    })
  }
})

describe('function identity: semantics do matter', () => {
  const different: [string, string][] = [
    ['(x) => x + 1', '(x) => x - 1'],
    ['(x) => x + 1', '(x) => x + 2'],
    ['(x) => x + 1', '(y) => y + 1'],
    ['(x = 1) => x', '(x = 2) => x'],
    ['(x) => x', 'async (x) => x'],
    ["(s) => s + 'a'", "(s) => s + 'b'"],
    ['(a, b) => a / b', '(a, b) => b / a'],
    ['(x) => /a/g.test(x)', '(x) => /a/i.test(x)'],
    ['(x) => 1n + x', '(x) => 2n + x'],
  ]
  for (const [a, b] of different) {
    it(`${a}  ≠  ${b}`, () => {
      expect(hashOf(b)).not.toBe(hashOf(a))
    })
  }

  it('folds in the version and the deps', () => {
    const base = hashOf('(x) => x')
    expect(hashOf('(x) => x', { version: '1' })).not.toBe(base)
    expect(hashOf('(x) => x', { version: '1' })).not.toBe(hashOf('(x) => x', { version: '2' }))
    expect(hashOf('(x) => x', { version: '' })).not.toBe(base)
    expect(hashOf('(x) => x', { deps: { table: [1, 2] } })).not.toBe(
      hashOf('(x) => x', { deps: { table: [1, 3] } }),
    )
    expect(hashOf('(x) => x', { deps: { table: [1, 2] } })).toBe(
      hashOf('(x) => x', { deps: { table: [1, 2] } }),
    )
    const helperA = (v: number) => v * 2
    const helperB = (v: number) => v * 3
    expect(hashOf('(x) => helper(x)', { deps: { helper: helperA } })).not.toBe(
      hashOf('(x) => helper(x)', { deps: { helper: helperB } }),
    )
  })

  it('uses the identity a task declares through FUNCTION_IDENTITY', () => {
    const declared = { hash: 'ab'.repeat(32) } as FunctionIdentity
    const task = Object.assign(() => 1, { [FUNCTION_IDENTITY]: declared })
    const id = idOf('(x) => step(x)', { deps: { step: task } })
    expect(id.deps.step).toBe('ab'.repeat(32))
    expect(id.freeVariables).toEqual([])
  })
})

describe('function identity: what is refused', () => {
  it('refuses native, bound, class, generator and receiver-dependent functions', () => {
    const cases: [string, Function][] = [
      ['native', Math.max],
      ['bound', ((x: number) => x).bind(null)],
      ['class', class Foo {}],
      ['generator', compile('function* g() { yield 1 }')],
      ['async generator', compile('async function* g() { yield 1 }')],
      ['this', compile('function f() { return this.x }')],
      ['this in arrow', compile('function f() { return [1].map(() => this.x) }')],
    ]
    for (const [label, fn] of cases)
      expect(
        codeOf(() => functionIdentity(fn)),
        label,
      ).toBe(ErrorCode.InvalidArgument)
  })

  it('allows `this` inside nested functions, methods and classes that have their own', () => {
    expect(codeOf(() => idOf('(x) => { function g() { return this } return g }'))).toBeUndefined()
    expect(codeOf(() => idOf('(x) => ({ m() { return this.v } })'))).toBeUndefined()
    expect(codeOf(() => idOf('(x) => class { m() { return this } }'))).toBeUndefined()
  })

  it('accepts method shorthand, async methods and getters', () => {
    const obj = {
      area(r: number) {
        return Math.PI * r * r
      },
      async later(x: number) {
        return x
      },
    }
    expect(functionIdentity(obj.area).name).toBe('area')
    expect(functionIdentity(obj.later).hash).toMatch(/^[0-9a-f]{64}$/)
    expect(functionIdentity(obj.area).hash).not.toBe(functionIdentity(obj.later).hash)
  })

  it('refuses dep cycles and unhashable dep values with the dep name', () => {
    class Opaque {}
    const err = (() => {
      try {
        idOf('(x) => x', { deps: { model: new Opaque() } })
      } catch (e) {
        return e as Error
      }
    })()
    expect(err?.message).toMatch(/^deps\.model: class instance of Opaque/)
  })
})

describe('free variables', () => {
  const table: [string, string[]][] = [
    ['(x) => x * scale', ['scale']],
    ['(x) => Math.max(x, JSON.parse("1"), console.log)', []],
    ['(x) => { const scale = 2; return x * scale }', []],
    ['(x) => { return y; var y = 1 }', []],
    ['(x) => { return g(); function g() { return 1 } }', []],
    ['(x) => { { let inner = 1 } return inner }', ['inner']],
    ['({ a, b: [c, ...d] }, ...rest) => a + c + d + rest', []],
    ['(x = outer) => x', ['outer']],
    ['({ a = fallback } = {}) => a', ['fallback']],
    ['(x) => { try { return 1 } catch (err) { return err } }', []],
    ['(x) => { label: for (const k of x) { break label } }', []],
    ['(x) => x.scale + ({ scale: 1 }).scale', []],
    ['(x) => ({ [key]: 1 })', ['key']],
    ['function f() { return arguments.length + f.length }', []],
    ['() => arguments', ['arguments']],
    ['(x) => { class K extends Base { m() { return other } } return K }', ['Base', 'other']],
    ['(x) => { for (let i = 0; i < n; i++) {} return i }', ['i', 'n']],
    ['(x) => { switch (x) { case 1: let s = 1; return s } }', []],
    ['(x) => { const f = function g() { return g }; return f }', []],
    ['(x) => x.map((y) => y * factor)', ['factor']],
    ['(x) => { const { scale } = x; return scale }', []],
    ['(x) => { [a, b] = x }', ['a', 'b']],
    ['(x) => typeof undefinedThing', ['undefinedThing']],
  ]
  for (const [source, expected] of table) {
    it(`${source} → [${expected.join(', ')}]`, () => {
      expect(idOf(source, { allowFreeVariables: true }).freeVariables).toEqual(expected)
    })
  }

  it('does not report declared deps, and refuses the rest by name with the fix', () => {
    expect(
      idOf('(x) => x * scale + offset', { deps: { scale: 2 }, allowFreeVariables: true }).freeVariables,
    ).toEqual(['offset'])
    let message = ''
    try {
      idOf('(x) => x * scale + offset', { deps: { base: 1 } })
    } catch (error) {
      expect(isCairnError(error, ErrorCode.FreeVariables)).toBe(true)
      expect((error as { details?: unknown }).details).toMatchObject({ freeVariables: ['offset', 'scale'] })
      message = (error as Error).message
    }
    expect(message).toMatch(/- offset: an outer variable/)
    expect(message).toMatch(/- scale: an outer variable/)
    expect(message).toContain('Fix: deps: { base, offset, scale }')
    expect(message).toContain("allowFreeVariables: ['offset', 'scale']")
    expect(codeOf(() => idOf('(x) => x * scale', { strict: true, deps: { scale: 2 } }))).toBeUndefined()
  })
})
