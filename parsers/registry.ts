import type { ParserDefinition } from './parser';
import { nginxCombined } from './nginx/combined';
import { laravel } from './app/laravel';
import { acgFakaRuntime } from './app/acg-faka-runtime';
import { thinkphp } from './app/thinkphp';
import { jsonl } from './app/jsonl';
import { generic } from './app/generic';

/** Every format salvage can read. Detection is a vote: each parser scores a sample of lines;
 *  on a tie the earlier parser wins, so the most specific come first and `generic` last. */
export const PARSERS: readonly ParserDefinition[] = [nginxCombined, laravel, acgFakaRuntime, thinkphp, jsonl, generic];

export function parserById(id: string): ParserDefinition | undefined {
  return PARSERS.find((p) => p.id === id || p.family === id);
}

export interface Detection {
  parser: ParserDefinition | null;
  confidence: number;
  votes: { id: string; confidence: number }[];
}

/** Below this, no parser claims the file and its lines are rejected as an unknown format. */
export const MIN_DETECT_CONFIDENCE = 0.3;

export function detectFormat(sample: string[]): Detection {
  const votes = PARSERS.map((p) => ({ id: p.id, confidence: p.detect(sample) }));
  let best: { id: string; confidence: number } | undefined;
  for (const v of votes) if (!best || v.confidence > best.confidence) best = v;
  if (!best || best.confidence < MIN_DETECT_CONFIDENCE) return { parser: null, confidence: best?.confidence ?? 0, votes };
  return { parser: PARSERS.find((p) => p.id === best!.id)!, confidence: best.confidence, votes };
}
