import type { ParserDefinition } from '../parser';
import { compileLogFormat, logFormatParser, type CompiledLogFormat } from './log-format';

// The nginx formats salvage knows without being told, as the directives an operator would have
// in nginx.conf. Each is compiled once, at load.

/** nginx's built-in default (`access_log path;` with no format name). */
export const COMBINED_DIRECTIVE =
  `log_format combined '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`;

/** The `main` format of the nginx.conf that nginx packages ship (commented out there, and
 *  switched on by most operators). */
export const MAIN_DIRECTIVE = `log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                  '$status $body_bytes_sent "$http_referer" '
                  '"$http_user_agent" "$http_x_forwarded_for"';`;

/** 宝塔 (BT panel) sites: `access_log /www/wwwlogs/<site>.log;` with no format name, i.e. combined
 *  (docs: shared/domain/NOTES.md §5). An alias, not a format of its own. */
export const BT_DEFAULT_DIRECTIVE = COMBINED_DIRECTIVE;

/** The common hand-added body logging: main plus the POST body, for `access_log … body;` in the
 *  PHP location. $request_body is only set where fastcgi/proxy_pass read the body into memory. */
export const BODY_DIRECTIVE = `log_format body '$remote_addr - $remote_user [$time_local] "$request" '
                  '$status $body_bytes_sent "$http_referer" '
                  '"$http_user_agent" "$http_x_forwarded_for" "$request_body"';`;

/**
 * 堡塔日志服务 (BT's remote log server) format `btlogjson`. RECONSTRUCTED, not copied: the domain
 * notes (NOTES.md §5, from class/logsModel/logserverModel.py) record only that it is
 * `escape=json` and carries `"from_data":"$request_body"`; the other keys are the usual ones of an
 * nginx JSON access log. If your lines differ, paste your own directive with --nginx-format.
 */
export const BT_JSON_DIRECTIVE = `log_format btlogjson escape=json '{"server_addr":"$server_addr",'
  '"remote_addr":"$remote_addr",'
  '"time_local":"$time_local",'
  '"host":"$host",'
  '"request_method":"$request_method",'
  '"request_uri":"$request_uri",'
  '"server_protocol":"$server_protocol",'
  '"status":"$status",'
  '"body_bytes_sent":"$body_bytes_sent",'
  '"request_time":"$request_time",'
  '"http_referer":"$http_referer",'
  '"http_user_agent":"$http_user_agent",'
  '"http_x_forwarded_for":"$http_x_forwarded_for",'
  '"from_data":"$request_body"}';`;

export const COMBINED: CompiledLogFormat = compileLogFormat(COMBINED_DIRECTIVE);
export const MAIN: CompiledLogFormat = compileLogFormat(MAIN_DIRECTIVE);
export const BODY: CompiledLogFormat = compileLogFormat(BODY_DIRECTIVE);
export const BT_JSON: CompiledLogFormat = compileLogFormat(BT_JSON_DIRECTIVE);

/** Does the last field look like a request body rather than some other appended field (a host, a
 *  time)? '-' (no body), a form (`a=1&b=2`), JSON or XML (WeChat v2 notifies). */
export function looksLikeBody(v: string): boolean {
  if (v === '-' || v === '') return true;
  const c = v.charCodeAt(0);
  return c === 123 /* { */ || c === 91 /* [ */ || c === 60 /* < */ || v.indexOf('=') > 0;
}

const bodyGroup = BODY.group('request_body');

export const nginxMain: ParserDefinition = logFormatParser('nginx-main', 'nginx main: combined + "$http_x_forwarded_for" (strict: no trailing fields)', MAIN);

/** main + "$request_body". Registered before nginx-combined (which would read the same lines and
 *  drop the body); a sample line counts for it only if its last field looks like a body, so a
 *  main format with some other field appended stays with nginx-combined. */
export const nginxBody: ParserDefinition = logFormatParser('nginx-body', 'nginx main + "$request_body" (hand-added body logging)', BODY, {
  plausible: (m) => looksLikeBody(m[bodyGroup]!),
});

export const nginxJson: ParserDefinition = logFormatParser('nginx-json', 'nginx btlogjson (宝塔 escape=json, with $request_body as from_data; reconstructed)', BT_JSON);

/** Other names the built-ins answer to (--format, parserById). */
export const NGINX_ALIASES: Readonly<Record<string, string>> = {
  'nginx-bt-default': 'nginx-combined',
  'nginx-bt': 'nginx-combined',
  'nginx-btlogjson': 'nginx-json',
  'nginx-bt-json': 'nginx-json',
};
