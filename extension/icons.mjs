// Atlas' icon as PNG files of any size, drawn here (a white ring on the
// dashboard's blue, as its favicon) so no image tool is needed: the
// extension's build writes its sizes, and `node icons.mjs <dir>` the web
// app's (web/public/icons).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const blue = [0x1d, 0x4e, 0xd8];

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** The icon as an RGBA PNG of size × size pixels. */
export function iconPNG(size) {
  const rows = [];
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const white = d > 0.36 && d < 0.58;
      const px = white ? [255, 255, 255] : blue;
      row.set([...px, 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Writes icon-<size>.png of every size into dir. */
export function writeIcons(dir, sizes) {
  mkdirSync(dir, { recursive: true });
  for (const s of sizes) writeFileSync(join(dir, `icon-${s}.png`), iconPNG(s));
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2]) {
  writeIcons(process.argv[2], [192, 512]);
}
