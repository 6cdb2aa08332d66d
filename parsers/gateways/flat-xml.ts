// A reader for the one XML shape WeChat Pay v2 uses: a flat `<xml><k><![CDATA[v]]></k><n>1</n></xml>`.
// Purpose-built rather than a general XML parser, so that nothing here can be made to expand
// entities, fetch anything or nest without bound: a DTD, an unknown entity, an attribute, a
// nested element or a duplicate field makes the document malformed, and malformed is a value
// (`{ ok: false, error }`), never an exception.

export type FlatXml = { ok: true; fields: Record<string, string> } | { ok: false; error: string };

const MAX_CHARS = 256 * 1024;
const MAX_FIELDS = 512;
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function fail(error: string): FlatXml {
  return { ok: false, error };
}

/** Character data with the five predefined entities and numeric references decoded; undefined
 *  when it holds any other entity (there is no DTD to define one, and none is ever expanded). */
function decodeText(s: string): string | undefined {
  if (s.indexOf('&') < 0) return s;
  let bad = false;
  const out = s.replace(/&([^;&\s]{0,10});?/g, (all, name: string) => {
    if (!all.endsWith(';')) {
      bad = true;
      return all;
    }
    if (name in PREDEFINED) return PREDEFINED[name]!;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (m !== null) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return String.fromCodePoint(cp);
    }
    bad = true;
    return all;
  });
  return bad ? undefined : out;
}

export function parseFlatXml(input: string): FlatXml {
  if (typeof input !== 'string') return fail('not text');
  if (input.length > MAX_CHARS) return fail(`longer than ${MAX_CHARS} characters`);
  let s = input.trim();
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.startsWith('<?xml')) {
    const end = s.indexOf('?>');
    if (end < 0) return fail('unterminated XML declaration');
    s = s.slice(end + 2).trimStart();
  }
  if (s.startsWith('<!')) return fail('a DTD or comment before the root element is not accepted (no entity expansion)');
  if (!s.startsWith('<xml>')) return fail('the root element is not <xml>');
  if (!s.endsWith('</xml>')) return fail('the document does not end with </xml> (cut short?)');
  const fields = new Map<string, string>();
  let count = 0;
  let i = 5;
  const end = s.length - 6;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c !== 60 /* < */) return fail(`text outside any field at character ${i}`);
    if (s.startsWith('<!--', i)) {
      const close = s.indexOf('-->', i + 4);
      if (close < 0 || close + 3 > end) return fail('unterminated comment');
      i = close + 3;
      continue;
    }
    if (s.startsWith('<!', i) || s.startsWith('<?', i)) return fail(`markup declaration or processing instruction at character ${i} is not accepted`);
    NAME.lastIndex = i + 1;
    const nm = NAME.exec(s);
    if (nm === null) return fail(`bad element name at character ${i}`);
    const name = nm[0];
    let j = i + 1 + name.length;
    if (s.startsWith('/>', j)) {
      if (fields.has(name)) return fail(`duplicate field <${name}>`);
      fields.set(name, '');
      i = j + 2;
    } else {
      if (s.charCodeAt(j) !== 62 /* > */) return fail(`attributes or junk in <${name}> are not accepted`);
      j++;
      // Content: CDATA sections and character data, up to the matching end tag.
      const cdata: string[] = [];
      let plain = false;
      const text: string[] = [];
      for (;;) {
        if (j >= end) return fail(`<${name}> is never closed`);
        if (s.startsWith('<![CDATA[', j)) {
          const close = s.indexOf(']]>', j + 9);
          if (close < 0 || close + 3 > end) return fail(`unterminated CDATA in <${name}>`);
          cdata.push(s.slice(j + 9, close));
          text.push(s.slice(j + 9, close));
          j = close + 3;
          continue;
        }
        if (s.startsWith('</', j)) {
          const closeTag = `</${name}>`;
          if (!s.startsWith(closeTag, j)) return fail(`<${name}> is closed by the wrong end tag`);
          j += closeTag.length;
          break;
        }
        if (s.charCodeAt(j) === 60) return fail(`nested element inside <${name}> (WeChat Pay v2 XML is flat)`);
        let k = s.indexOf('<', j);
        if (k < 0 || k > end) k = end;
        const t = decodeText(s.slice(j, k));
        if (t === undefined) return fail(`undefined or malformed entity in <${name}> (entities are never expanded)`);
        if (t.trim() !== '') plain = true;
        text.push(t);
        j = k;
      }
      if (fields.has(name)) return fail(`duplicate field <${name}>`);
      // Whitespace-only text around a CDATA section (pretty-printed XML) is layout, not value.
      fields.set(name, cdata.length > 0 && !plain ? cdata.join('') : text.join(''));
      i = j;
    }
    if (++count > MAX_FIELDS) return fail(`more than ${MAX_FIELDS} fields`);
  }
  return { ok: true, fields: Object.fromEntries(fields) };
}
