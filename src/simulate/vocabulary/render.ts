// Writes an operator line the way one shop's code would (see style.ts): the Monolog line with the
// shop's wording, keys and encoding. Pure: the caller supplies the per-line request id.
//
// Monolog facts relied on (Seldaek/monolog 2.x src/Monolog/Formatter/LineFormatter.php, as Laravel 6
// configures it in laravel/framework src/Illuminate/Log/LogManager.php: allowInlineLineBreaks and
// ignoreEmptyContextAndExtra on): the entry is `[%datetime%] %channel%.%level_name%: %message% %context% %extra%`
// with an empty context and extra each replaced by '', so a message without context ends in two
// spaces; line breaks inside the message are kept; in a value that starts with `{` the two-character
// sequences `\r` and `\n` become real line breaks. An array passed as the message is var_export'ed
// (laravel/framework src/Illuminate/Log/Logger.php formatMessage).
import type { GatewayName } from '../gateways/retry';
import type { LaravelLevel } from '../laravel';
import { ymdHis } from '../time';
import type { CanonicalField } from './keys';
import type { OrderEvent } from './phrases';
import { httpBuildQueryFlat, phpJsonEncode, printR, varDump, varExport, type PhpArray, type PhpValue } from './php-output';
import type { OperatorStyle } from './style';

/** An order lifecycle line, in the simulator's canonical field names. */
export interface OrderLine {
  event: OrderEvent;
  orderId: string;
  fields: readonly (readonly [CanonicalField, PhpValue])[];
  /** Fields only a verbose shop logs (title, quantity). */
  extras?: readonly (readonly [CanonicalField, PhpValue])[];
}

/** A gateway callback as the shop received it. */
export interface CallbackLine {
  gateway: GatewayName;
  orderId: string;
  /** The payload as PHP holds it after parsing ($_GET, $_POST, the XML as an array, json_decode). */
  fields: PhpArray;
  /** The body on the wire: the query string, the form body, the XML or the JSON text. */
  raw: string;
}

/** Bits of `Rendered.logged`: which buyer fields the line carries. */
export const LOGGED_EMAIL = 1;
export const LOGGED_GOODS = 2;

export interface Rendered {
  /** One physical line, or several when the message holds a multi-line dump. */
  text: string | string[];
  logged: number;
}

function monologValue(s: string): string {
  return s.startsWith('{') ? s.replace(/\\r/g, '\r').replace(/\\n/g, '\n') : s;
}

/** The Monolog entry as written, split into physical lines. `context` is '' or its JSON. */
export function monologEntry(ts: number, env: string, level: LaravelLevel, message: string, context: string): string | string[] {
  const text = `[${ymdHis(ts)}] ${env}.${level}: ${monologValue(message)} ${monologValue(context)} `;
  return text.includes('\n') ? text.split('\n') : text;
}

function words(template: string, orderId: string): string {
  return template.replace(/\{sn\}/g, orderId);
}

function lead(prefix: string, requestId: string | null): string {
  return `${requestId === null ? '' : `[${requestId}] `}${prefix}`;
}

function join(message: string, separator: string, dump: string): string {
  return message === '' ? dump : `${message}${separator}${dump}`;
}

/** One order line in the shop's style. */
export function renderOrderLine(style: OperatorStyle, ts: number, line: OrderLine, requestId: string | null): Rendered {
  let fields = line.fields;
  if (line.event === 'card_delivered' && !style.fullCardLine) fields = fields.filter(([k]) => k !== 'email' && k !== 'goods_id');
  if (style.verbose && line.extras) fields = [...fields, ...line.extras];
  const obj: Record<string, PhpValue> = {};
  let logged = 0;
  for (const [k, v] of fields) {
    obj[style.keys[k]] = v;
    if (k === 'email') logged |= LOGGED_EMAIL;
    if (k === 'goods_id') logged |= LOGGED_GOODS;
  }
  let template = style.messages[line.event];
  if (line.event === 'status_changed' && style.statusMessages) {
    const to = line.fields.find(([k]) => k === 'to')?.[1];
    template = style.statusMessages[String(to)] ?? template;
  }
  const message = lead(style.orderPrefix, requestId) + words(template, line.orderId);
  const sep = style.separator;
  const level = style.orderLevel;
  let text: string | string[];
  switch (style.encodings[line.event]) {
    case 'json':
      text = monologEntry(ts, style.env, level, message, JSON.stringify(style.orderWrapper ? { [style.orderWrapper]: obj } : obj));
      break;
    case 'json_message':
      text = monologEntry(ts, style.env, level, join(message, sep, phpJsonEncode(obj)), '');
      break;
    case 'print_r':
      text = monologEntry(ts, style.env, level, join(message, sep, printR(obj)), '');
      break;
    case 'var_export':
      text = monologEntry(ts, style.env, level, join(message, sep, varExport(obj)), '');
      break;
    case 'var_dump':
      text = monologEntry(ts, style.env, level, join(message, sep, varDump(obj)), '');
      break;
    case 'query':
      // glued straight to the words, `…createdorder_sn=…` would hide the key; operators put a space there
      text = monologEntry(ts, style.env, level, join(message, sep === '' ? ' ' : sep, httpBuildQueryFlat(obj)), '');
      break;
  }
  return { text, logged };
}

/** One gateway callback line in the shop's style. */
export function renderCallbackLine(style: OperatorStyle, ts: number, line: CallbackLine, requestId: string | null): string | string[] {
  const cs = style.callbacks[line.gateway];
  const message = lead(style.callbackPrefix, requestId) + words(cs.message, line.orderId);
  const sep = style.separator;
  const level = style.callbackLevel;
  const env = style.env;
  switch (cs.encoding) {
    case 'json':
      return monologEntry(ts, env, level, message, JSON.stringify(cs.wrapper ? { [cs.wrapper]: line.fields } : line.fields));
    case 'json_string':
      return monologEntry(ts, env, level, message, JSON.stringify({ [cs.rawKey]: phpJsonEncode(line.fields) }));
    case 'raw_context':
      return monologEntry(ts, env, level, message, JSON.stringify({ [cs.rawKey]: line.raw }));
    case 'raw':
      return monologEntry(ts, env, level, join(message, sep, line.raw), '');
    case 'json_message':
      return monologEntry(ts, env, level, join(message, sep, phpJsonEncode(line.fields)), '');
    case 'print_r':
      return monologEntry(ts, env, level, join(message, sep, printR(line.fields)), '');
    case 'var_export':
      return monologEntry(ts, env, level, style.bareExport ? varExport(line.fields) : join(message, sep, varExport(line.fields)), '');
    case 'var_dump':
      return monologEntry(ts, env, level, join(message, sep, varDump(line.fields)), '');
  }
}
