import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root (this file is `infra/local/local-state.ts`). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** `DATA_DIR` (relative to the working directory) or `.local-data` in the repository. */
export function resolveDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.DATA_DIR?.trim();
  return configured ? resolve(configured) : join(REPO_ROOT, '.local-data');
}

/** A data folder that cannot be used, said in one line naming where it came from (no stack). */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Makes sure the data folder exists (created 0700, one level at a time) and is a writable folder,
 * before anything is put in it. Node's recursive `mkdirSync` loops forever (synchronously, deaf to
 * Ctrl+C) on paths such as `/proc/nonexistent/x`, and its errors name neither the variable nor the
 * cause, so each missing level is created here on its own and every failure becomes one line.
 */
export function prepareDataDir(dataDir: string, env: Readonly<Record<string, string | undefined>>): void {
  const source = env.DATA_DIR?.trim() ? `DATA_DIR=${env.DATA_DIR}` : `the default data folder ${dataDir} (DATA_DIR unset)`;
  const problem = (what: string): never => {
    throw new DataDirError(`Cannot use ${source} as the data folder: ${what}. Set DATA_DIR to a folder you can write to.`);
  };
  const missing: string[] = [];
  let existing = dataDir;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) problem(`${existing} is a file, not a folder`);
      break;
    } catch (err) {
      if (err instanceof DataDirError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a level above is a file; walking up finds and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') problem(`${existing}: ${describeFsError(err)}`);
      const parent = dirname(existing);
      if (parent === existing) problem(`${existing} does not exist`);
      missing.unshift(existing);
      existing = parent;
    }
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') problem(`cannot create ${folder}: ${describeFsError(err)}`);
    }
  }
  // A real write, not access(2): root passes access checks on folders no one can write (/sys, /proc).
  const probe = join(dataDir, `.write-probe.${process.pid}`);
  try {
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (err) {
    problem(`${dataDir} is not writable: ${describeFsError(err)}`);
  }
}

const describeFsError = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or folder (a pseudo file system such as /proc?)',
    ENOSPC: 'no space left on the device',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long',
  };
  return code === undefined ? String(err) : `${reasons[code] ?? 'error'} (${code})`;
};

/** What a running (or the last) local server tells the CLIs. */
export interface LocalServerState {
  /** Set while the server runs; `null` after a clean stop. */
  readonly pid: number | null;
  readonly url: string;
  readonly issuer: string;
  /** True when the server's own dev issuer signs tokens (no `ZITADEL_ISSUER`). */
  readonly devIssuer: boolean;
  readonly audience: readonly string[];
  readonly dynamodbEndpoint: string;
  /** True when the server runs dynalite itself (no `AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly embeddedDynamoDB: boolean;
  readonly table: string;
  readonly startedAt: string;
  /** How the function authorises (`AUTHZ_MODE`); absent in files of earlier versions: claims. */
  readonly authzMode?: 'zitadel' | 'claims';
}

export const stateFilePath = (dataDir: string) => join(dataDir, 'local-server.json');

export function readState(dataDir: string): LocalServerState | undefined {
  try {
    return JSON.parse(readFileSync(stateFilePath(dataDir), 'utf8')) as LocalServerState;
  } catch {
    return undefined;
  }
}

export function writeState(dataDir: string, state: LocalServerState): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = stateFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** What the local server keeps in its data folder (the temporary files of atomic writes sit beside them). */
const OWN_ENTRIES = ['dynamodb', 'dynamodb-local', 'dev-issuer', 'dev-zitadel', 'local-server.json', 'server.lock'];
const isOwnEntry = (name: string) => OWN_ENTRIES.some((own) => name === own || name.startsWith(`${own}.`));

/**
 * Security finding 7: the data folder holds the table's data, the signing key, the dev ZITADEL's
 * state and the server's state, so it is the owner's alone. Creates it 0700 and brings what an
 * earlier version left readable down to 0700 (folders) / 0600 (files); symbolic links are left
 * alone. Only the server's own entries are touched: a `DATA_DIR` pointing at a folder that holds
 * other things (a home or a shared folder) keeps its own mode, and the answer says so, so the
 * caller can warn. Files created afterwards are owner-only through the umask `npm start` sets.
 */
export function restrictDataFolder(dataDir: string): { folderRestricted: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if ((stat.mode & 0o077) !== 0) {
      chmodSync(path, stat.mode & 0o700);
    }
  };
  const entries = readdirSync(dataDir);
  for (const entry of entries.filter(isOwnEntry)) walk(join(dataDir, entry));
  const onlyOurs = entries.every(isOwnEntry);
  if (onlyOurs && (lstatSync(dataDir).mode & 0o777) !== 0o700) chmodSync(dataDir, 0o700);
  return { folderRestricted: onlyOurs };
}

/** Whether a process with this id exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number | null | undefined): boolean {
  if (typeof pid !== 'number' || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server of this data folder, if any. */
export function runningServer(dataDir: string): LocalServerState | undefined {
  const state = readState(dataDir);
  return state !== undefined && processAlive(state.pid) ? state : undefined;
}

const lockFilePath = (dataDir: string) => join(dataDir, 'server.lock');

/**
 * Claims the data folder (its DynamoDB store, key and state file) for this process. LevelDB
 * allows one process per folder and dynalite crashes on a locked one, so a second server must
 * be refused up front.
 * A lock left by a process that no longer exists is taken over. Returns the holder's pid when
 * another live process holds it.
 */
export function acquireDataLock(dataDir: string): { release: () => void } | { heldBy: number } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = lockFilePath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (processAlive(holder) && holder !== process.pid) return { heldBy: holder };
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock ${path}`);
}
