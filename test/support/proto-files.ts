import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** All `.proto` files under `root`, as sorted paths relative to it. */
export function protoFiles(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, sub)).sort()) {
    const rel = sub ? `${sub}/${e}` : e;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...protoFiles(root, rel));
    else if (e.endsWith('.proto')) out.push(rel);
  }
  return out;
}
