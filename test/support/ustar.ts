/** One entry of a tar archive, as the tests build and read them. */
export interface TarEntry {
  name: string;
  content?: string | Buffer;
  /** Tar type flag: '0' file, '2' symlink, '5' directory. */
  type?: string;
  link?: string;
}

/** A ustar archive of `entries` (plain USTAR headers), ended as `docker save` ends it (unless `unended`). */
export function ustar(entries: TarEntry[], unended = false): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write(entry.type ?? '0', 156);
    header.write(entry.link ?? '', 157, 100, 'utf8');
    header.write('ustar\x0000', 257, 'latin1');
    header.fill(' ', 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  if (!unended) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The entries of a ustar archive (`docker save` output): names, types, link targets and contents. */
export function readUstar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const field = (header: Buffer, start: number, length: number) =>
    header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= archive.length; ) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const prefix = field(header, 345, 155);
    const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    offset += 512;
    entries.push({
      name,
      type: field(header, 156, 1) || '0',
      link: field(header, 157, 100),
      content: archive.subarray(offset, offset + size),
    });
    offset += Math.ceil(size / 512) * 512;
  }
  return entries;
}
