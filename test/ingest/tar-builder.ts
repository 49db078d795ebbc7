import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';

/**
 * Builds tar archives byte by byte, including the hostile ones no well-behaved tool
 * writes (`../x`, `/etc/passwd`, links, devices, headers that lie about sizes), so the
 * tests exercise exactly the bytes an attacker could send.
 */
export interface RawMember {
  path: string;
  type?: NonNullable<HeaderData['type']>;
  body?: string | Buffer;
  linkpath?: string;
  /** Size written in the header; defaults to the body's length. */
  size?: number;
}

const BLOCK = 512;

function pad(length: number): Buffer {
  const rest = length % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** One member's blocks: a PAX header first when the path does not fit a ustar header. */
export function memberBlocks(member: RawMember): Buffer {
  const body = typeof member.body === 'string' ? Buffer.from(member.body) : (member.body ?? Buffer.alloc(0));
  const data: HeaderData = {
    path: member.path,
    type: member.type ?? 'File',
    size: member.size ?? body.length,
    mode: member.type === 'Directory' ? 0o755 : 0o644,
    mtime: new Date(0),
    ...(member.linkpath !== undefined ? { linkpath: member.linkpath } : {}),
  };
  const header = new Header(data);
  const parts: Buffer[] = [];
  header.encode();
  if (header.needPax) parts.push(new Pax({ path: member.path, ...(member.linkpath !== undefined ? { linkpath: member.linkpath } : {}) }).encode());
  parts.push(header.block!, body, pad(body.length));
  return Buffer.concat(parts);
}

export function rawTar(members: RawMember[]): Buffer {
  return Buffer.concat([...members.map(memberBlocks), Buffer.alloc(BLOCK * 2)]);
}

export function tarGz(members: RawMember[]): Buffer {
  return zlib.gzipSync(rawTar(members));
}

export function bodyOf(buffer: Buffer): Readable {
  return Readable.from([buffer]);
}
