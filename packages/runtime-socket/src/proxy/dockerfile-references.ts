/**
 * A Dockerfile with the image references of its `FROM` and `COPY --from=`
 * instructions replaced by what `resolve` makes of them (the engine
 * references of the job's names). Left as written: references to earlier
 * stages (by name or index), `scratch`, references with variables (the
 * engine expands those itself), and continued lines.
 */
export async function withResolvedImages(
  dockerfile: string,
  resolve: (reference: string) => Promise<string>,
): Promise<string> {
  const stages = new Set<string>();
  const lines = dockerfile.split('\n');
  let continued = false;
  for (const [i, line] of lines.entries()) {
    const continuation = continued;
    continued = /\\\r?$/.test(line) || (continued && /^\s*(#.*)?\r?$/.test(line));
    if (continuation) continue;
    const from = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(\s+AS\s+(\S+))?(.*)$/is.exec(line);
    if (from) {
      const [, head = '', reference = '', as = '', stage, rest = ''] = from;
      const sent = isImageReference(reference, stages) ? await resolve(reference) : reference;
      if (stage) stages.add(stage.toLowerCase());
      lines[i] = `${head}${sent}${as}${rest}`;
      continue;
    }
    const copy = /^(\s*COPY\s+(?:--\S+\s+)*?--from=)(\S+)(.*)$/is.exec(line);
    if (copy) {
      const [, head = '', reference = '', rest = ''] = copy;
      if (isImageReference(reference, stages)) lines[i] = `${head}${await resolve(reference)}${rest}`;
    }
  }
  return lines.join('\n');
}

/** Whether a `FROM` or `--from=` operand names an image (not a stage, `scratch`, or something with variables). */
function isImageReference(operand: string, stages: ReadonlySet<string>): boolean {
  const lower = operand.toLowerCase();
  return !operand.includes('$') && lower !== 'scratch' && !stages.has(lower) && !/^\d+$/.test(operand);
}
