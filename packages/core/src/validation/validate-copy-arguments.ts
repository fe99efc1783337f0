import { describeValue, type IssueList } from './issue-list.js';

/** Largest uid/gid the kernel accepts ((uid_t)-1 means "unchanged"). */
const MAX_ID = 4_294_967_294;

/**
 * Checks one file to write into a sandbox (a spec's `files[i]`, or an entry of
 * `writeFiles` when `owner` allows uid/gid): an absolute path naming a file,
 * string or byte content, and plain permission bits (no setuid, setgid or sticky bit).
 */
export function checkFileEntry(
  list: IssueList,
  value: unknown,
  path: string,
  { owner }: { owner: boolean },
): void {
  const file = list.object(
    value,
    path,
    owner ? ['path', 'content', 'mode', 'uid', 'gid'] : ['path', 'content', 'mode'],
  );
  if (!file) return;
  list.absolutePath(file.path, `${path}.path`);
  if (typeof file.path === 'string' && /(^|\/)\.\.?(\/|$)|\/$/.test(file.path)) {
    list.add(
      `${path}.path`,
      `${describeValue(file.path)} is not a file path`,
      'a normalised path naming a file, without "." or ".." parts or a trailing "/"',
    );
  }
  if (!(typeof file.content === 'string' || file.content instanceof Uint8Array)) {
    list.add(
      `${path}.content`,
      `expected a string or Uint8Array, got ${describeValue(file.content)}`,
      'a string (written as UTF-8) or a Uint8Array/Buffer',
    );
  }
  if (file.mode !== undefined)
    list.integer(file.mode, `${path}.mode`, 0, 0o777, 'permission bits 0-0o777, e.g. 0o644');
  if (owner) {
    if (file.uid !== undefined) list.integer(file.uid, `${path}.uid`, 0, MAX_ID);
    if (file.gid !== undefined) list.integer(file.gid, `${path}.gid`, 0, MAX_ID);
  }
}

/** `writeFiles`' list of files. */
export function checkFileEntries(list: IssueList, files: unknown): void {
  if (!Array.isArray(files)) {
    list.add(
      'files',
      `expected an array, got ${describeValue(files)}`,
      'an array of { path, content, mode?, uid?, gid? }',
    );
    return;
  }
  files.forEach((file, index) => {
    checkFileEntry(list, file, `files[${index}]`, { owner: true });
  });
}

/** The options every copy call takes (`CallOptions`). */
export function checkCallOptions(list: IssueList, options: unknown, otherKeys: readonly string[] = []): void {
  const o = list.object(options, 'options', ['signal', 'timeoutMs', ...otherKeys]);
  if (!o) return;
  if (o.signal !== undefined) list.signal(o.signal, 'options.signal');
  if (o.timeoutMs !== undefined) list.timeoutMs(o.timeoutMs, 'options.timeoutMs');
}
