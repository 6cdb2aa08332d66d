/** Orders already seen per rule, for `repeat: first`. Bounded: when full it starts again empty,
 *  after which a repeat is emitted again, which is harmless. */
export class SeenOrders {
  private readonly byRule = new Map<string, Set<string>>();
  private size = 0;

  constructor(private readonly limit: number) {}

  /** True when this rule has seen this order before; otherwise remembers it. */
  repeated(rule: string, orderId: string): boolean {
    let seen = this.byRule.get(rule);
    if (seen === undefined) this.byRule.set(rule, (seen = new Set()));
    else if (seen.has(orderId)) return true;
    if (this.size >= this.limit) {
      this.byRule.clear();
      this.byRule.set(rule, (seen = new Set()));
      this.size = 0;
    }
    seen.add(orderId);
    this.size++;
    return false;
  }
}
