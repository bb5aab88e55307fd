// @cairn/fs is core's optional peer (package.json `peerDependenciesMeta`) and depends on core
// itself, so core is built before it and cannot read its types; default-store.ts types what it uses.
declare module '@cairn/fs' {
  export const FsStore: unknown
}
