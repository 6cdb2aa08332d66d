import type { GatewayDefinition, GatewayReading, KeyRing } from '../../parsers/gateways/gateway';

// A gateway retries its notify until the shop answers, the buyer's browser brings the same
// parameters back on the return URL, and both may be logged by nginx and by the shop: the same
// payload is read many times. Reading it (its signature check above all: an RSA verify, or an
// XML parse and a hash) is a pure function of the gateway, the payload and the key ring, which
// is fixed for the engine, so each distinct payload is read once and its reading reused.
// Readings are shared: callers copy from them and never change them.

/** Distinct payloads remembered; the least recently used goes first. A retry comes within hours. */
const LIMIT = 4096;

export class ReadingMemo {
  private readonly readings = new Map<string, GatewayReading>();

  constructor(private readonly keys: KeyRing, private readonly limit = LIMIT) {}

  read(def: GatewayDefinition, params: Record<string, string>, body: string | undefined): GatewayReading {
    const key = payloadKey(def.id, params, body);
    if (key === null) return def.read(params, this.keys, body);
    const hit = this.readings.get(key);
    if (hit !== undefined) {
      this.readings.delete(key);
      this.readings.set(key, hit);
      return hit;
    }
    const reading = def.read(params, this.keys, body);
    if (this.readings.size >= this.limit) this.readings.delete(this.readings.keys().next().value!);
    this.readings.set(key, reading);
    return reading;
  }
}

/**
 * The payload's exact text: its parameters in their order (a reading may depend on the order),
 * then the gateway and the body. JSON escapes NUL, so the first NUL ends the parameters and no
 * two payloads share a key. null (not remembered) when a value is not text, which JSON would
 * drop or change, or when the parameters inherit from something other than a plain object.
 */
export function payloadKey(gateway: string, params: Record<string, string>, body: string | undefined): string | null {
  const proto = Object.getPrototypeOf(params);
  if (proto !== Object.prototype && proto !== null) return null;
  for (const k in params) if (typeof params[k] !== 'string') return null;
  return JSON.stringify(params) + '\u0000' + gateway + (body === undefined ? '\u0000-' : '\u0000+' + body);
}
