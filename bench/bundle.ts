import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { BUNDLE_FILE_NAME, esbuildOptions, projectRoot } from '../infra/function-bundle.ts';

export const OUT_DIR = join(projectRoot, 'bench', 'out');

/** Builds exactly the bundle the stack deploys (same options, see infra/function-bundle.ts). */
export async function buildBundle(outDir = join(OUT_DIR, 'deployed'), overrides: BuildOptions = {}) {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, BUNDLE_FILE_NAME);
  const result = await build({ ...esbuildOptions, ...overrides, outfile: file, metafile: true, logLevel: 'warning' });
  return { file, bytes: (await stat(file)).size, metafile: result.metafile };
}

/** Output bytes per package, largest first: where the bundle's size comes from. */
export function bytesByPackage(metafile: Metafile): Array<[string, number]> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'functions (ours)';
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** esbuild's plain options for a Lambda ESM bundle: what one writes without tuning anything. */
const PLAIN_OPTIONS: BuildOptions = {
  alias: {},
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
};

/**
 * Our code without the cold-start measures of infra/function-bundle.ts (ES imports of built-ins, the SDK's full
 * credential chain), for before/after.
 */
export const buildPlainBundle = () => buildBundle(join(OUT_DIR, 'plain'), PLAIN_OPTIONS);

/**
 * The independent straightforward build (bench/straightforward/handler.ts), bundled as aws-lambda-nodejs would with
 * minify on: ESM, node24, the AWS SDK bundled, no source map (its default; so it pays no map parsing either).
 */
export const buildStraightforwardBundle = () =>
  buildBundle(join(OUT_DIR, 'straightforward'), {
    ...PLAIN_OPTIONS,
    entryPoints: [join(projectRoot, 'bench', 'straightforward', 'handler.ts')],
    sourcemap: false,
  });

if (import.meta.main) {
  const { file, bytes, metafile } = await buildBundle();
  console.log(`${file}: ${bytes} bytes`);
  for (const [pkg, size] of bytesByPackage(metafile)) console.log(`${String(size).padStart(8)}  ${pkg}`);
}
