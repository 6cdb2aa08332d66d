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

/** The payload's exact text: every parameter in its order (a reading may depend on the order),
 *  an absent value told apart from any text, and the body. Each piece goes with its length, so
 *  no two payloads share a key whatever their values hold. */
export function payloadKey(gateway: string, params: Record<string, string>, body: string | undefined): string {
  let k = gateway + (body === undefined ? '\u0000-' : '\u0000+' + body.length + ':' + body);
  for (const name of Object.keys(params)) {
    const v = params[name];
    k += '\u0000' + name.length + ':' + name + (v === undefined ? '\u0000-' : '\u0000+' + v.length + ':' + v);
  }
  return k;
}
