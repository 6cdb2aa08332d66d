// Everything the report shows that came from the logs (file names, template text, reasons,
// order numbers) goes through here: a log line is attacker-controlled text (a forged callback
// can carry any bytes), and the report is opened in a browser.

import { replaceEmails } from '../../util/find-emails';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a double- or single-quoted attribute. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => HTML[c]!);
}

// Mainland mobile numbers and other long digit runs that look like a phone or QQ number.
const PHONE = /(?<![\d.])(1[3-9]\d)\d{4}(\d{4})(?![\d.])/g;

/** A contact with the person hidden: `a***@qq.com`, `138****1234`. */
export function maskContacts(s: string): string {
  return replaceEmails(s, (local, domain) => `${local[0]}***@${domain}`).replace(PHONE, '$1****$2');
}
