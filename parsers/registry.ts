import type { ParserDefinition } from './parser';
import { nginxCombined } from './nginx/combined';
import { nginxError } from './nginx/error-log';
import { laravel } from './app/laravel';
import { acgFakaRuntime } from './app/acg-faka-runtime';
import { acgFakaRequest } from './app/acg-faka-request';
import { laravelQueue } from './app/laravel-queue';
import { thinkphp } from './app/thinkphp';
import { jsonl } from './app/jsonl';
import { generic } from './app/generic';
import { fragments } from './app/fragments';
import { NGINX_ALIASES, nginxBody, nginxJson, nginxMain } from './nginx/builtin-formats';

/** Every format salvage can read. Detection is a vote: each parser scores a sample of lines;
 *  on a tie the earlier parser wins, so the most specific come first and `generic` last.
 *
 *  nginx: nginx-combined accepts any fields after the user agent, so it also matches main and
 *  body lines. The compiled formats match whole lines only. nginx-json and nginx-body come
 *  before it: where their lines match in full they win the tie (and keep the body that
 *  nginx-combined would drop); on combined or main lines they score 0 or less, and
 *  nginx-combined wins. nginx-main comes after it: on main lines it ties and loses, so the
 *  hand-tuned parser keeps the common case (nginx-main is there to be forced, strictly). A
 *  user's --nginx-format goes before all of these (parsersWith), so it wins its ties. nginx-json
 *  also comes before jsonl, which would read its lines as generic JSON. nginx-error reads the
 *  error log (`Y/m/d H:i:s [level] pid#tid:`); no access-log parser matches those lines, and its
 *  vote for any share of headers is above generic's. acg-faka-request (acg-faka's JSON request
 *  log) comes before jsonl, which would tie with it on those lines. `fragments` (saved payloads
 *  without timestamps) is last and weakest: it takes only what no log parser claims. laravel-queue
 *  reads `php artisan queue:work` output, which carries no order number (docs/log-shapes.md). */
export const PARSERS: readonly ParserDefinition[] = [nginxJson, nginxBody, nginxCombined, nginxMain, nginxError, laravel, laravelQueue, acgFakaRuntime, acgFakaRequest, thinkphp, jsonl, generic, fragments];

/** When a family name is given (`--format x=nginx`), the parser it means, if not the family's first. */
const FAMILY_DEFAULT: Readonly<Record<string, string>> = { nginx: 'nginx-combined' };

/** The built-ins with extra parsers (the user's --nginx-format) in front, where they win ties. */
export function parsersWith(extra: readonly ParserDefinition[] = []): readonly ParserDefinition[] {
  return extra.length === 0 ? PARSERS : [...extra, ...PARSERS];
}

/** By id, alias or family. A family means an extra parser of that family if there is one (the
 *  user's own format), else the family's default. */
export function parserById(id: string, extra: readonly ParserDefinition[] = []): ParserDefinition | undefined {
  const all = parsersWith(extra);
  const want = NGINX_ALIASES[id] ?? id;
  const exact = all.find((p) => p.id === want);
  if (exact) return exact;
  const own = extra.find((p) => p.family === id);
  if (own) return own;
  const def = FAMILY_DEFAULT[id];
  return (def !== undefined ? PARSERS.find((p) => p.id === def) : undefined) ?? PARSERS.find((p) => p.family === id);
}

export interface Detection {
  parser: ParserDefinition | null;
  confidence: number;
  votes: { id: string; confidence: number }[];
}

/** Below this, no parser claims the file and its lines are rejected as an unknown format. */
export const MIN_DETECT_CONFIDENCE = 0.3;

function voteOf(p: ParserDefinition, sample: string[]): number {
  try {
    return p.detect(sample);
  } catch {
    return 0;
  }
}

export function detectFormat(sample: string[], extra: readonly ParserDefinition[] = []): Detection {
  const all = parsersWith(extra);
  // A parser whose test cannot cope with a sample (a regex out of stack on a line of many
  // megabytes) votes 0 rather than ending the file's reading.
  const votes = all.map((p) => ({ id: p.id, confidence: voteOf(p, sample) }));
  let best: { id: string; confidence: number } | undefined;
  for (const v of votes) if (!best || v.confidence > best.confidence) best = v;
  if (!best || best.confidence < MIN_DETECT_CONFIDENCE) return { parser: null, confidence: best?.confidence ?? 0, votes };
  return { parser: all.find((p) => p.id === best!.id)!, confidence: best.confidence, votes };
}
