import type { Lang } from './model';

/**
 * The page's first language: `--lang` when given, else Chinese when the system locale is
 * (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them), else English. Both are in the
 * page either way; this only picks which one shows when it opens.
 */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (flag !== undefined && flag !== '') return flag.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(locale) ? 'zh' : 'en';
}
