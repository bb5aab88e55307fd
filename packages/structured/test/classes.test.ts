import { expectCodeSync } from '@cairn/conformance'
import { ErrorCode } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { ClassRegistry, createStructuredSerializer, structuredSerializer } from '../src/index.js'
import { graphDifference } from './compare.js'

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y)
  }
}
class Point3 extends Point {
  z = 0
}
class Temperature {
  #celsius: number
  constructor(celsius: number) {
    this.#celsius = celsius
  }
  get celsius(): number {
    return this.#celsius
  }
}
class HttpError extends TypeError {
  status = 500
}
class Node {
  children: Node[] = []
  parent: Node | undefined
}
class Counter extends Map<string, number> {}

function registry(): ClassRegistry {
  return new ClassRegistry()
    .register(Point, { name: 'geo.Point' })
    .register(Temperature, {
      name: 'Temperature',
      reduce: (t) => t.celsius,
      revive: (celsius) => new Temperature(celsius as number),
    })
    .register(HttpError, { name: 'HttpError' })
    .register(Node, { name: 'Node' })
    .register(Counter, {
      name: 'Counter',
      reduce: (c) => [...c],
      revive: (entries) => new Counter(entries as [string, number][]),
    })
}

describe('registered classes', () => {
  const serializer = createStructuredSerializer({ classes: registry() })
  const roundTrip = <T>(value: T): T => serializer.decode(serializer.encode(value)) as T

  it('an instance comes back an instance of the same class, without running its constructor', () => {
    const back = roundTrip({ p: new Point(3, 4) }).p
    expect(back).toBeInstanceOf(Point)
    expect(back.norm()).toBe(5)
    expect(graphDifference(back, new Point(3, 4))).toBeUndefined()
  })

  it('reduce/revive carries hidden state (private fields)', () => {
    const back = roundTrip([new Temperature(21.5), new Temperature(-3)])
    expect(back[0]).toBeInstanceOf(Temperature)
    expect(back.map((t) => t.celsius)).toStrictEqual([21.5, -3])
  })

  it('a reduced instance shared twice comes back as one instance', () => {
    const t = new Temperature(7)
    const back = roundTrip([t, t, { t }])
    expect(back[0]).toBe(back[1])
    expect((back[2] as { t: unknown }).t).toBe(back[0])
  })

  it('a class extending Map round-trips through reduce/revive', () => {
    const counter = new Counter([['a', 1]])
    const back = roundTrip(counter)
    expect(back).toBeInstanceOf(Counter)
    expect([...back]).toStrictEqual([['a', 1]])
  })

  it('an Error subclass keeps its class, message, stack, cause and fields, and is a real error', () => {
    const error = new HttpError('not found', { cause: new Error('db') })
    error.status = 404
    const back = roundTrip(error)
    expect(back).toBeInstanceOf(HttpError)
    expect(back).toBeInstanceOf(TypeError)
    expect(Object.prototype.toString.call(back)).toBe('[object Error]')
    expect(graphDifference(back, error)).toBeUndefined()
    expect(back.stack).toBe(error.stack)
  })

  it('default revive keeps cycles through instances', () => {
    const root = new Node()
    const child = new Node()
    child.parent = root
    root.children.push(child)
    const back = roundTrip(root)
    expect(back.children[0]?.parent).toBe(back)
    expect(graphDifference(back, root)).toBeUndefined()
  })

  it('properties are defined, never assigned: a setter on the prototype does not run', () => {
    let setterRan = false
    class Guarded {
      declare value: number
    }
    Object.defineProperty(Guarded.prototype, 'value', {
      set() {
        setterRan = true
      },
      configurable: true,
    })
    const s = createStructuredSerializer({
      classes: new ClassRegistry().register(Guarded, { name: 'Guarded' }),
    })
    const instance = new Guarded()
    Object.defineProperty(instance, 'value', {
      value: 1,
      enumerable: true,
      writable: true,
      configurable: true,
    })
    const back = s.decode(s.encode(instance)) as Guarded
    expect(setterRan).toBe(false)
    expect(Object.getOwnPropertyDescriptor(back, 'value')?.value).toBe(1)
  })

  it('a subclass of a registered class is not registered implicitly', () => {
    const error = expectCodeSync(() => serializer.encode({ p: new Point3(1, 2) }), ErrorCode.Unserializable)
    expect(error.message).toMatch(/^\$\.p: class Point3 is not registered/)
    expect(error.message).toContain('"geo.Point"')
  })

  it('an unregistered class is refused on encode with the path, and by name on decode', () => {
    const error = expectCodeSync(
      () => structuredSerializer.encode([1, { deep: new Point(1, 2) }]),
      ErrorCode.Unserializable,
    )
    expect(error.message).toMatch(/^\$\[1\]\.deep: class Point is not registered/)
    const bytes = serializer.encode(new Point(1, 2))
    const decodeError = expectCodeSync(() => structuredSerializer.decode(bytes), ErrorCode.Unserializable)
    expect(decodeError.message).toContain('"geo.Point" is not registered')
  })

  it('a class registered differently on the two sides is refused', () => {
    const bytes = serializer.encode(new Temperature(1))
    const other = createStructuredSerializer({
      classes: new ClassRegistry().register(Point, { name: 'Temperature' }),
    })
    expect(expectCodeSync(() => other.decode(bytes), ErrorCode.Unserializable).message).toMatch(/registered/)
  })

  it('reduce or revive that throws is a coded error', () => {
    class Fragile {}
    const classes = new ClassRegistry().register(Fragile, {
      name: 'Fragile',
      reduce: () => {
        throw new Error('cannot reduce')
      },
      revive: () => new Fragile(),
    })
    const s = createStructuredSerializer({ classes })
    expect(expectCodeSync(() => s.encode({ f: new Fragile() }), ErrorCode.Unserializable).message).toMatch(
      /^\$\.f: reduce\(\) of class Fragile threw: cannot reduce/,
    )
    class Brittle {}
    const both = new ClassRegistry().register(Brittle, {
      name: 'Brittle',
      reduce: () => 1,
      revive: () => {
        throw new Error('cannot revive')
      },
    })
    const s2 = createStructuredSerializer({ classes: both })
    expect(
      expectCodeSync(() => s2.decode(s2.encode(new Brittle())), ErrorCode.Unserializable).message,
    ).toMatch(/cannot revive/)
  })

  it('a cycle back into a reduced instance is refused (revive could not rebuild it)', () => {
    class Box {
      constructor(public inner: unknown) {}
    }
    const classes = new ClassRegistry().register(Box, {
      name: 'Box',
      reduce: (b) => ({ inner: b.inner }),
      revive: (data) => new Box((data as { inner: unknown }).inner),
    })
    const s = createStructuredSerializer({ classes })
    const box = new Box(null)
    box.inner = [box]
    expect(expectCodeSync(() => s.encode(box), ErrorCode.Unserializable).message).toMatch(/refers back/)
  })
})

describe('ClassRegistry.register', () => {
  it('refuses bad registrations', () => {
    const r = new ClassRegistry().register(Point, { name: 'Point' })
    expectCodeSync(() => r.register(Point, { name: 'Other' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(class {}, { name: 'Point' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(class {}, { name: '' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(class {}, { name: 'x', reduce: () => 1 }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(Map, { name: 'Map' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(Error, { name: 'Error' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register(class extends Set {}, { name: 'MySet' }), ErrorCode.InvalidArgument)
    expectCodeSync(() => r.register((() => 1) as never, { name: 'arrow' }), ErrorCode.InvalidArgument)
    expect(r.names()).toStrictEqual(['Point'])
    expect(r.has(Point)).toBe(true)
    expect(r.has(Point3)).toBe(false)
  })
})
