/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, and the most inclusive
 * time (time spent in a function and everything it called, each sample counted once per function).
 * Given two profiles (`--diff`), lists the functions whose inclusive time differs most between them: where the
 * first (the library) spends more than the second (its raw twin).
 *
 * Usage: ts-node scripts/cpuprofile-summary.ts <file.cpuprofile> [top=25]
 *        ts-node scripts/cpuprofile-summary.ts --diff <library.cpuprofile> <raw.cpuprofile> [top=25]
 */
import { readFileSync } from 'fs';
import { relative } from 'path';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
interface Summary { total: number; self: Map<string, number>; inclusive: Map<string, number> }

const label = (f: CallFrame) => {
  const where = f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

function summarize(file: string): Summary {
  const profile: Profile = JSON.parse(readFileSync(file, 'utf-8'));
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = label(byId.get(id)!.callFrame);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  });
  return { total, self, inclusive };
}

const ms = (us: number, width = 8) => (us / 1000).toFixed(0).padStart(width);
const args = process.argv.slice(2);

if (args[0] === '--diff') {
  const [, a, b, topArg] = args;
  if (!a || !b) throw new Error('usage: cpuprofile-summary --diff <library.cpuprofile> <raw.cpuprofile> [top]');
  const [lib, raw] = [summarize(a), summarize(b)];
  console.log(`inclusive time, first minus second (${ms(lib.total, 0)} ms against ${ms(raw.total, 0)} ms sampled)`);
  console.log('    diff    first   second');
  const names = new Set([...lib.inclusive.keys(), ...raw.inclusive.keys()]);
  const rows = [...names].map(n => [n, lib.inclusive.get(n) ?? 0, raw.inclusive.get(n) ?? 0] as const);
  for (const [name, x, y] of rows.sort((p, q) => (q[1] - q[2]) - (p[1] - p[2])).slice(0, Number(topArg ?? 25))) {
    console.log(`${ms(x - y)} ${ms(x)} ${ms(y)}  ${name}`);
  }
} else {
  const [file, topArg] = args;
  if (!file) throw new Error('usage: cpuprofile-summary <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const s = summarize(file);
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title} (of ${ms(s.total, 0)} ms sampled)`);
    for (const [name, us] of [...m].sort((p, q) => q[1] - p[1]).slice(0, top)) {
      console.log(`${ms(us)} ms ${(100 * us / s.total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  print('self time', s.self);
  print('inclusive time', s.inclusive);
}
