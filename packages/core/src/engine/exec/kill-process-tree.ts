import { readdirSync, readFileSync } from 'node:fs';

/**
 * SIGKILLs a host process and every descendant of it. Each process found is
 * stopped (SIGSTOP) before its children are looked up, so none can fork a
 * child that escapes the sweep; the whole frozen tree is then killed.
 * @returns false when this process may not signal it (not root), so nothing was done
 */
export function killProcessTree(root: number): boolean {
  const tree = new Set<number>([root]);
  if (signal(root, 'SIGSTOP') === 'not permitted') return false;
  for (;;) {
    const found = [...childrenOf(tree)].filter((pid) => !tree.has(pid));
    if (found.length === 0) break;
    for (const pid of found) {
      tree.add(pid);
      signal(pid, 'SIGSTOP');
    }
  }
  for (const pid of tree) signal(pid, 'SIGKILL');
  return true;
}

/** The pids whose parent is in `parents`, read from /proc (empty without /proc). */
function childrenOf(parents: ReadonlySet<number>): Set<number> {
  const children = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parents.has(ppid)) children.add(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): 'sent' | 'gone' | 'not permitted' {
  try {
    process.kill(pid, name);
    return 'sent';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'not permitted' : 'gone';
  }
}
