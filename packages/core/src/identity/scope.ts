/** Free-variable analysis over an ESTree AST: which names does a function read from outside itself? */
import { COMPUTED_MEMBER } from './globals.js'

type Node = { type: string; [key: string]: any }

class Scope {
  readonly names = new Set<string>()
  constructor(
    readonly parent: Scope | undefined,
    readonly isFunction: boolean,
  ) {}
  declares(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.names.has(name)) return true
    return false
  }
  functionScope(): Scope {
    let s: Scope = this
    while (!s.isFunction && s.parent) s = s.parent
    return s
  }
}

/** Identifiers bound by a pattern (params, declarations, catch clauses). */
function patternNames(pattern: Node | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name)
      break
    case 'ObjectPattern':
      for (const p of pattern.properties) patternNames(p.type === 'RestElement' ? p.argument : p.value, out)
      break
    case 'ArrayPattern':
      for (const e of pattern.elements) patternNames(e, out)
      break
    case 'RestElement':
      patternNames(pattern.argument, out)
      break
    case 'AssignmentPattern':
      patternNames(pattern.left, out)
      break
  }
  return out
}

/** Hoists `var` and function declarations of a function body, and let/const/class of a block. */
function declareBlock(statements: Node[], scope: Scope): void {
  for (const st of statements) {
    if (st.type === 'VariableDeclaration' && st.kind !== 'var') {
      for (const d of st.declarations) for (const n of patternNames(d.id)) scope.names.add(n)
    } else if (st.type === 'ClassDeclaration' && st.id) scope.names.add(st.id.name)
    else if (st.type === 'FunctionDeclaration' && st.id) scope.names.add(st.id.name)
  }
}

function hoistVars(node: Node | null | undefined, scope: Scope): void {
  if (!node || typeof node !== 'object') return
  if (node.type === 'VariableDeclaration' && node.kind === 'var') {
    for (const d of node.declarations) for (const n of patternNames(d.id)) scope.names.add(n)
  }
  if (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'ClassDeclaration' ||
    node.type === 'ClassExpression'
  ) {
    return // own scope
  }
  for (const key of Object.keys(node)) {
    const child = node[key]
    if (Array.isArray(child)) for (const c of child) hoistVars(c, scope)
    else if (child && typeof child === 'object' && typeof child.type === 'string') hoistVars(child, scope)
  }
}

export interface ScopeFacts {
  /** Every name read from outside the function. */
  free: Set<string>
  /** For free names read as `name.member` or `name[expr]`: the members (`COMPUTED_MEMBER` for `[expr]`). */
  members: Map<string, Set<string>>
  usesThis: boolean
  usesSuper: boolean
}

/** Analyzes the top-level function node: free names, and whether its own body uses `this`/`super`. */
export function analyzeFunction(fn: Node): ScopeFacts {
  const facts: ScopeFacts = {
    free: new Set(),
    members: new Map(),
    usesThis: false,
    usesSuper: false,
  }
  // `ownThis` is true while walking code whose `this` is the analyzed function's own.
  const visitFunction = (node: Node, outer: Scope, ownThis: boolean): void => {
    const scope = new Scope(outer, true)
    if (node.type === 'FunctionExpression' && node.id) scope.names.add(node.id.name)
    if (node.type !== 'ArrowFunctionExpression') scope.names.add('arguments')
    for (const p of node.params) for (const n of patternNames(p)) scope.names.add(n)
    const thisOwned = node.type === 'ArrowFunctionExpression' ? ownThis : ownThis && node === fn
    for (const p of node.params) visitPatternDefaults(p, scope, thisOwned)
    if (node.body.type === 'BlockStatement') {
      hoistVars(node.body, scope)
      declareBlock(node.body.body, scope)
      for (const st of node.body.body) visit(st, scope, thisOwned)
    } else visit(node.body, scope, thisOwned)
  }
  const visitPatternDefaults = (p: Node | null, scope: Scope, ownThis: boolean): void => {
    if (!p) return
    switch (p.type) {
      case 'AssignmentPattern':
        visitPatternDefaults(p.left, scope, ownThis)
        visit(p.right, scope, ownThis)
        break
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') visitPatternDefaults(prop.argument, scope, ownThis)
          else {
            if (prop.computed) visit(prop.key, scope, ownThis)
            visitPatternDefaults(prop.value, scope, ownThis)
          }
        }
        break
      case 'ArrayPattern':
        for (const e of p.elements) visitPatternDefaults(e, scope, ownThis)
        break
      case 'RestElement':
        visitPatternDefaults(p.argument, scope, ownThis)
        break
      case 'MemberExpression':
        visit(p, scope, ownThis)
        break
    }
  }
  const visitClass = (node: Node, outer: Scope, ownThis: boolean): void => {
    const scope = new Scope(outer, false)
    if (node.id) scope.names.add(node.id.name)
    if (node.superClass) visit(node.superClass, outer, ownThis)
    for (const member of node.body.body) {
      if (member.computed) visit(member.key, scope, ownThis)
      if (member.type === 'MethodDefinition') visitFunction(member.value, scope, false)
      else if (member.type === 'PropertyDefinition' && member.value)
        visit(member.value, new Scope(scope, true), false)
      else if (member.type === 'StaticBlock') {
        const block = new Scope(scope, true)
        hoistVars({ type: 'BlockStatement', body: member.body }, block)
        declareBlock(member.body, block)
        for (const st of member.body) visit(st, block, false)
      }
    }
  }
  const visit = (node: Node | null | undefined, scope: Scope, ownThis: boolean): void => {
    if (!node || typeof node !== 'object') return
    switch (node.type) {
      case 'Identifier':
        if (!scope.declares(node.name)) {
          facts.free.add(node.name)
        }
        return
      case 'ThisExpression':
        if (ownThis) facts.usesThis = true
        return
      case 'Super':
        if (ownThis) facts.usesSuper = true
        return
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(node, scope, ownThis)
        return
      case 'ClassDeclaration':
      case 'ClassExpression':
        visitClass(node, scope, ownThis)
        return
      case 'MemberExpression':
        if (node.object.type === 'Identifier' && !scope.declares(node.object.name)) {
          const name: string = node.object.name
          facts.free.add(name)
          const members = facts.members.get(name) ?? new Set<string>()
          members.add(node.computed ? COMPUTED_MEMBER : node.property.name)
          facts.members.set(name, members)
        } else visit(node.object, scope, ownThis)
        if (node.computed) visit(node.property, scope, ownThis)
        return
      case 'MetaProperty':
        return
      case 'Property':
        if (node.computed) visit(node.key, scope, ownThis)
        if (node.value.type === 'FunctionExpression' && (node.method || node.kind !== 'init')) {
          visitFunction(node.value, scope, false)
        } else visit(node.value, scope, ownThis)
        return
      case 'LabeledStatement':
        visit(node.body, scope, ownThis)
        return
      case 'BreakStatement':
      case 'ContinueStatement':
        return
      case 'BlockStatement':
      case 'StaticBlock': {
        const block = new Scope(scope, false)
        declareBlock(node.body, block)
        for (const st of node.body) visit(st, block, ownThis)
        return
      }
      case 'SwitchStatement': {
        visit(node.discriminant, scope, ownThis)
        const block = new Scope(scope, false)
        for (const c of node.cases) declareBlock(c.consequent, block)
        for (const c of node.cases) {
          visit(c.test, block, ownThis)
          for (const st of c.consequent) visit(st, block, ownThis)
        }
        return
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const loop = new Scope(scope, false)
        const init = node.type === 'ForStatement' ? node.init : node.left
        if (init?.type === 'VariableDeclaration' && init.kind !== 'var') {
          for (const d of init.declarations) for (const n of patternNames(d.id)) loop.names.add(n)
        }
        for (const key of ['init', 'test', 'update', 'left', 'right', 'body']) visit(node[key], loop, ownThis)
        return
      }
      case 'CatchClause': {
        const block = new Scope(scope, false)
        for (const n of patternNames(node.param)) block.names.add(n)
        visitPatternDefaults(node.param, block, ownThis)
        visit(node.body, block, ownThis)
        return
      }
      case 'VariableDeclaration':
        for (const d of node.declarations) {
          visitPatternDefaults(d.id, scope, ownThis)
          visit(d.init, scope, ownThis)
        }
        return
      case 'ExportNamedDeclaration':
      case 'ImportExpression':
        visit(node.source, scope, ownThis)
        return
    }
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc') continue
      const child = node[key]
      if (Array.isArray(child)) for (const c of child) visit(c, scope, ownThis)
      else if (child && typeof child === 'object' && typeof child.type === 'string')
        visit(child, scope, ownThis)
    }
  }
  visitFunction(fn, new Scope(undefined, true), true)
  return facts
}
