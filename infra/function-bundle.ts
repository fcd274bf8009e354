/**
 * The single source of truth for how the Deactivate Action function is bundled.
 *
 * Two consumers must produce byte-identical `index.mjs` output:
 *  - the CDK stack, through `aws-lambda-nodejs` (`nodejsBundlingOptions()`), which runs the
 *    locally installed esbuild CLI (never Docker);
 *  - benchmarks and local tools, through esbuild's own API (`esbuildOptions`).
 *
 * Both are derived from the constants below; `test/infra/stack.test.ts` builds the bundle both
 * ways and compares the output, so a change to one side that is not mirrored fails the tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Repository root (the directory holding package.json and package-lock.json). */
export const projectRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Lock file used by `NodejsFunction` to locate the project root. */
export const depsLockFilePath: string = path.join(projectRoot, 'package-lock.json');

/** Entry file of the function, relative to the project root. Exports `handler`. */
export const FUNCTION_ENTRY_RELATIVE = 'functions/deactivate-action/index.ts';

/** Absolute path of the entry file. */
export const functionEntry: string = path.join(projectRoot, FUNCTION_ENTRY_RELATIVE);

/** Name of the exported handler function in the entry file. */
export const HANDLER_EXPORT = 'handler';

/** File name `aws-lambda-nodejs` gives an ESM bundle; Lambda's handler is `index.handler`. */
export const BUNDLE_FILE_NAME = 'index.mjs';

/** Matches `lambda.Runtime.NODEJS_24_X` used by the stack. */
export const ESBUILD_TARGET = 'node24';

/** Prefer the ES module build of dependencies (better tree shaking, e.g. AWS SDK v3 `dist-es`). */
export const MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * An ESM bundle has no `require`; CommonJS dependencies bundled into it still call it
 * (esbuild's `__require` shim throws "Dynamic require of ... is not supported" otherwise).
 * The aliased import name avoids clashing with any identifier esbuild emits.
 */
export const BANNER =
  "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);";

const SHIMS = path.join(projectRoot, 'infra', 'bundle-shims');

/** Node built-ins the bundle uses (a test fails if the bundle imports another one as ESM). */
export const NODE_BUILTINS: readonly string[] = [
  'buffer', 'child_process', 'console', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https',
  'net', 'os', 'path', 'perf_hooks', 'process', 'stream', 'timers', 'tls', 'url', 'util', 'zlib',
];

/**
 * Cold-start measures (see bench/RESULTS.md), applied through esbuild's `alias`:
 * - Every Node built-in is taken through `process.getBuiltinModule`, not `import`. An ES import
 *   of a built-in builds a module facade that evaluates all of its lazy getters: `node:http`'s
 *   alone compiles undici. A CommonJS-style module object has no facade.
 * - The AWS SDK's default credential chain is replaced by its environment link only, which is
 *   where Lambda puts the execution role's credentials (infra/bundle-shims/lambda-credentials.ts).
 */
export const ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': path.join(SHIMS, 'lambda-credentials.ts'),
  ...Object.fromEntries(
    NODE_BUILTINS.flatMap((name) => {
      const shim = path.join(SHIMS, 'node', `${name.replace('/', '-')}.cjs`);
      return [
        [name, shim],
        [`node:${name}`, shim],
      ];
    }),
  ),
};

/**
 * esbuild API options equivalent to `nodejsBundlingOptions()`. Add `outfile` (named
 * `BUNDLE_FILE_NAME`, i.e. `<dir>/index.mjs`, to get identical output, including the
 * `sourceMappingURL` comment) and, if you like, `metafile`/`logLevel`.
 *
 * No `external`: the AWS SDK v3 is bundled rather than taken from the Lambda runtime, so the
 * deployed code runs exactly the SDK version that was tested, and tree shaking keeps it small.
 */
export const esbuildOptions: BuildOptions = {
  absWorkingDir: projectRoot,
  entryPoints: [functionEntry],
  bundle: true,
  platform: 'node',
  target: ESBUILD_TARGET,
  format: 'esm',
  minify: true,
  // Linked `index.mjs.map`, same as the CLI's bare `--sourcemap`: shipped in the asset to map bundle positions
  // offline. The function runs without --enable-source-maps (parsing it costs ~9 ms CPU per cold start, bench/NOTES.md);
  // without the embedded sources the map is a third of the size and still maps to file:line:column.
  sourcemap: true,
  sourcesContent: false,
  treeShaking: true,
  mainFields: [...MAIN_FIELDS],
  banner: { js: BANNER },
  alias: { ...ALIASES },
  external: [],
};

/**
 * `aws-lambda-nodejs` bundling options equivalent to `esbuildOptions`.
 * A function so every stack gets a fresh object (BundlingOptions are consumed by reference).
 */
export function nodejsBundlingOptions(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: ESBUILD_TARGET,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    mainFields: [...MAIN_FIELDS],
    banner: BANNER,
    // Empty list: nothing is external, so `@aws-sdk/*` (and `@smithy/*`) are bundled. Without
    // this, aws-lambda-nodejs would mark `@aws-sdk/*` external for Node >= 18 runtimes.
    externalModules: [],
    // esbuild's CLI tree-shakes bundles by default; stated explicitly to mirror `treeShaking`.
    esbuildArgs: {
      '--tree-shaking': 'true',
      ...Object.fromEntries(Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
    },
    // Use the esbuild installed in node_modules; never fall back to a Docker build.
    forceDockerBundling: false,
  };
}
