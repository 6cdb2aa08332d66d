// Imports go one way, with the data: sources → parsers → rules → pipeline → correlate → score →
// checks → sinks → cli. A stage that imports a later one (the correlator reaching into the checks, a
// config reader into the CLI) ties the pipeline in a knot a newcomer cannot read in order.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/util/package-root';

const root = packageRoot();

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every relative import in the source roots, as [importing file's top folder, imported top folder]. */
function edges(): { from: string; to: string; file: string }[] {
  const found: { from: string; to: string; file: string }[] = [];
  for (const top of ['src', 'parsers', 'rules']) {
    for (const file of tsFiles(join(root, top))) {
      const rel = relative(root, file).split('/');
      const from = rel[0] === 'src' ? `src/${rel[1]}` : rel[0]!;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(root, normalize(join(dirname(file), m[1]!))).split('/');
        const to = target[0] === 'src' ? `src/${target[1]}` : target[0]!;
        if (to !== from) found.push({ from, to, file: relative(root, file) });
      }
    }
  }
  return found;
}

/** Imports that would run against the flow of data. */
const FORBIDDEN: [string, RegExp, string][] = [
  ['no stage imports the CLI', /^(?!src\/cli$)/, 'src/cli'],
  ['the parsers and rule engine see only the model and small utilities', /^(parsers|rules)$/, '^src/(?!model$|util$)'],
  ['the correlator does not reach into the checks or the sinks', /^src\/correlate$/, '^src/(checks|sinks|export|kibana)$'],
  // Records are scored as they are built, but the pipeline hands the confidence model to the
  // correlator: the scorer is a later stage, and its input type lives in src/model/.
  ['the correlator does not call the scorer (it is passed in)', /^src\/correlate$/, '^src/score$'],
  ['the confidence model sees only the model', /^src\/score$/, '^(?!src/model$)'],
  ['the correlator does not reach back into the reading threads (what crosses between them is in the model)', /^src\/correlate$/, '^src/pipeline$'],
  ['the model is the bottom layer: it imports no stage', /^src\/model$/, '^(?!src/util$)'],
  ['the checks do not reach into the sinks', /^src\/checks$/, '^src/(sinks|export|kibana)$'],
  ['sources know nothing of what reads them', /^src\/sources$/, '^src/(pipeline|correlate|checks|sinks|score)$'],
];

test('imports go one way, with the data', () => {
  const all = edges();
  assert.ok(all.length > 50, 'the scan finds the imports between stages');
  const bad: string[] = [];
  for (const [why, from, to] of FORBIDDEN) {
    const toRe = new RegExp(to);
    for (const e of all) if (from.test(e.from) && toRe.test(e.to)) bad.push(`${why}: ${e.file} imports ${e.to}`);
  }
  assert.deepEqual(bad, []);
});
