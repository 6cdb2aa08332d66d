import { readFileSync } from 'node:fs';
import type { EsTarget } from '../sinks/elasticsearch';
import { UsageError } from '../model/usage-error';

/**
 * Elasticsearch credentials come from the environment (ELASTIC_API_KEY, or ELASTIC_USERNAME and
 * ELASTIC_PASSWORD) or from a JSON file named by ELASTIC_CREDENTIALS_FILE — never from argv,
 * where they would land in shell history and process listings.
 */
export function esAuthFromEnv(env: NodeJS.ProcessEnv): EsTarget['auth'] | undefined {
  if (env.ELASTIC_CREDENTIALS_FILE) {
    let data: Record<string, string>;
    try {
      data = JSON.parse(readFileSync(env.ELASTIC_CREDENTIALS_FILE, 'utf8')) as Record<string, string>;
    } catch (e) {
      throw new UsageError(`cannot read ELASTIC_CREDENTIALS_FILE (${env.ELASTIC_CREDENTIALS_FILE}): ${(e as Error).message}. It must be a JSON file you can read. / 无法读取 ELASTIC_CREDENTIALS_FILE 指定的凭据文件，请检查路径与格式（JSON）`);
    }
    if (data.api_key) return { apiKey: data.api_key };
    if (data.username && data.password) return { username: data.username, password: data.password };
    throw new UsageError('ELASTIC_CREDENTIALS_FILE must hold {"api_key": "..."} or {"username": "...", "password": "..."} / 凭据文件应包含 api_key，或 username 与 password');
  }
  if (env.ELASTIC_API_KEY) return { apiKey: env.ELASTIC_API_KEY };
  if (env.ELASTIC_USERNAME && env.ELASTIC_PASSWORD) return { username: env.ELASTIC_USERNAME, password: env.ELASTIC_PASSWORD };
  return undefined;
}
