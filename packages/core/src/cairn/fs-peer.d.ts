// What core's tsc sees for `import('@cairn/fs')` (tsconfig `paths`): @cairn/fs is core's optional
// peer and depends on core, so its own types are built after core's and are not read here;
// default-store.ts types the part it uses.
export declare const FsStore: unknown
