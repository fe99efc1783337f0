/** The size of a tar block: headers are one, contents are padded to whole ones. */
export const TAR_BLOCK = 512;

/** A tar entry: `header` (a USTAR header) with its size and checksum set for `content`, then `content`, padded. */
export function tarEntry(header: Buffer, content: Buffer): Buffer {
  const sized = Buffer.from(header);
  sized.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'latin1');
  sized.fill(0x20, 148, 156);
  const checksum = sized.reduce((sum, byte) => sum + byte, 0);
  sized.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  const padding = Buffer.alloc((TAR_BLOCK - (content.length % TAR_BLOCK)) % TAR_BLOCK);
  return Buffer.concat([sized, content, padding]);
}

/** A USTAR header's fields the proxy reads: the entry's name (prefix joined), type and size (`undefined` when unreadable). */
export function tarHeaderFields(header: Buffer): { name: string; type: string; size: number | undefined } {
  const field = (start: number, length: number) =>
    header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  const size = Number.parseInt(field(124, 12).trim() || '0', 8);
  const prefix = field(345, 155);
  return {
    name: prefix ? `${prefix}/${field(0, 100)}` : field(0, 100),
    type: field(156, 1) || '0',
    size: Number.isSafeInteger(size) && !((header[124] ?? 0) & 0x80) ? size : undefined,
  };
}
