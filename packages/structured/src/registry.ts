import { invalidArgument } from '@cairn/core'
import { ERROR_CLASSES } from './format.js'

/** How instances of one class are written and rebuilt. */
export interface ClassRegistration<T extends object = object, D = unknown> {
  /** Stable name written with each instance; it is how the decoder finds the class again. */
  name: string
  /** Turns an instance into data the serializer can encode. Give `revive` with it. */
  reduce?: (instance: T) => D
  /** Rebuilds an instance from what `reduce` returned. Give `reduce` with it. */
  revive?: (data: D) => T
}

/** A registration as the encoder and decoder use it. */
export interface RegisteredClass {
  readonly name: string
  readonly cls: abstract new (...args: never[]) => unknown
  readonly prototype: object
  readonly reduce: ((instance: never) => unknown) | undefined
  readonly revive: ((data: never) => unknown) | undefined
  /** For an Error subclass without reduce/revive: the standard error class it extends. */
  readonly errorBase: ErrorConstructor | undefined
}

type AnyClass<T> = abstract new (...args: any[]) => T

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype) as object

/** Built-ins with internal state that own enumerable properties cannot carry. */
const EXOTIC_BUILT_INS: [object, string][] = [
  [Array.prototype, 'Array'],
  [Map.prototype, 'Map'],
  [Set.prototype, 'Set'],
  [WeakMap.prototype, 'WeakMap'],
  [WeakSet.prototype, 'WeakSet'],
  [Date.prototype, 'Date'],
  [RegExp.prototype, 'RegExp'],
  [ArrayBuffer.prototype, 'ArrayBuffer'],
  [TYPED_ARRAY_PROTOTYPE, 'a typed array'],
  [DataView.prototype, 'DataView'],
  [Promise.prototype, 'Promise'],
  [Number.prototype, 'Number'],
  [String.prototype, 'String'],
  [Boolean.prototype, 'Boolean'],
  [Function.prototype, 'Function'],
]
const ERROR_PROTOTYPES = new Map<object, ErrorConstructor>(ERROR_CLASSES.map((cls) => [cls.prototype, cls]))

function ancestors(prototype: object): object[] {
  const chain: object[] = []
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null)
    chain.push(p)
  return chain
}

/**
 * The classes `structuredSerializer` may write and rebuild, each under a stable name. Like a
 * restricted unpickler: an instance of a class that is not registered is refused on encode, and a
 * name that is not registered is refused on decode. A subclass is not covered by its parent's
 * registration; register it too.
 *
 * Without `reduce`/`revive`, an instance is written as its own enumerable properties and rebuilt as
 * `Object.create(cls.prototype)` with those properties; the constructor does not run (private `#fields`
 * and other hidden state are not carried: give `reduce`/`revive` for such classes). An Error subclass
 * also keeps its message, stack, cause (and errors), and comes back a real error.
 */
export class ClassRegistry {
  readonly #byPrototype = new Map<object, RegisteredClass>()
  readonly #byName = new Map<string, RegisteredClass>()

  register<T extends object, D = unknown>(cls: AnyClass<T>, options: ClassRegistration<T, D>): this {
    if (typeof cls !== 'function' || typeof cls.prototype !== 'object' || cls.prototype === null) {
      throw invalidArgument('register needs a class')
    }
    const { name, reduce, revive } = options ?? ({} as ClassRegistration<T, D>)
    if (typeof name !== 'string' || name.length === 0 || name.length > 1024 || !name.isWellFormed()) {
      throw invalidArgument('a registered class needs a name: a non-empty string of at most 1024 characters')
    }
    if ((reduce === undefined) !== (revive === undefined)) {
      throw invalidArgument(`class ${name}: give both reduce and revive, or neither`)
    }
    if (
      (reduce !== undefined && typeof reduce !== 'function') ||
      (revive !== undefined && typeof revive !== 'function')
    ) {
      throw invalidArgument(`class ${name}: reduce and revive must be functions`)
    }
    const prototype = cls.prototype as object
    const chain = ancestors(prototype)
    if (
      prototype === Object.prototype ||
      EXOTIC_BUILT_INS.some(([p]) => p === prototype) ||
      ERROR_PROTOTYPES.has(prototype)
    ) {
      throw invalidArgument(`${cls.name || name} is built in: it needs no registration`)
    }
    const exotic = EXOTIC_BUILT_INS.find(([p]) => chain.includes(p))
    if (exotic && reduce === undefined) {
      throw invalidArgument(
        `class ${name} extends ${exotic[1]}, whose contents are not own properties: give reduce and revive`,
      )
    }
    if (this.#byName.has(name))
      throw invalidArgument(`a class is already registered as ${JSON.stringify(name)}`)
    if (this.#byPrototype.has(prototype)) {
      throw invalidArgument(
        `class ${cls.name} is already registered as ${this.#byPrototype.get(prototype)?.name}`,
      )
    }
    const errorBase =
      reduce === undefined ? chain.map((p) => ERROR_PROTOTYPES.get(p)).find(Boolean) : undefined
    const entry: RegisteredClass = {
      name,
      cls,
      prototype,
      reduce: reduce as RegisteredClass['reduce'],
      revive: revive as RegisteredClass['revive'],
      errorBase,
    }
    this.#byPrototype.set(prototype, entry)
    this.#byName.set(name, entry)
    return this
  }

  /** Whether instances whose prototype is exactly `cls.prototype` are registered. */
  has(cls: AnyClass<unknown>): boolean {
    return typeof cls === 'function' && this.#byPrototype.has(cls.prototype as object)
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#byName.keys()]
  }

  /** @internal The registration for objects with exactly this prototype. */
  byPrototype(prototype: object): RegisteredClass | undefined {
    return this.#byPrototype.get(prototype)
  }

  /** @internal The registration under this name. */
  byName(name: string): RegisteredClass | undefined {
    return this.#byName.get(name)
  }
}
