// A small Drain template miner (He, Zhu, Zheng and Lyu, "Drain: An Online Log Parsing Approach
// with Fixed Depth Tree", ICWS 2017). Messages are split into tokens; a fixed-depth tree routes
// a message by its token count and then its first `depth - 2` tokens to a short list of
// clusters; it joins the most similar cluster when at least `similarity` of the positions
// agree, and the template's disagreeing positions become the wildcard `<*>`. A token holding a
// digit is routed as `<*>` (values such as ids rarely start a wording), and a tree node with
// `maxChildren` children sends further tokens down its `<*>` branch, so the tree stays small.
// Pure: no I/O, no global state.

export const WILDCARD = '<*>';

export interface DrainOptions {
  /** Tree depth, at least 3: the root, the token count, and `depth - 2` leading tokens. */
  depth: number;
  /** Share of positions that must agree for a message to join a cluster, in (0, 1]. */
  similarity: number;
  /** Children per tree node before further tokens share the `<*>` branch. */
  maxChildren: number;
}

export const DEFAULT_DRAIN: DrainOptions = { depth: 4, similarity: 0.5, maxChildren: 100 };

export interface DrainCluster {
  id: number;
  template: string[];
  size: number;
}

interface Node {
  children: Map<string, Node>;
  clusters: DrainCluster[];
}

const newNode = (): Node => ({ children: new Map(), clusters: [] });
const HAS_DIGIT = /[0-9]/;

export class Drain {
  private readonly root = newNode();
  private readonly all: DrainCluster[] = [];
  private readonly opts: DrainOptions;

  constructor(opts: Partial<DrainOptions> = {}) {
    this.opts = { ...DEFAULT_DRAIN, ...opts };
    if (!(this.opts.depth >= 3)) throw new RangeError('Drain depth must be at least 3');
    if (!(this.opts.similarity > 0 && this.opts.similarity <= 1)) throw new RangeError('Drain similarity must be in (0, 1]');
  }

  /** Adds one message (its tokens) and returns the cluster it joined or started. */
  add(tokens: readonly string[]): DrainCluster {
    const leaf = this.leafFor(tokens);
    let best: DrainCluster | undefined;
    let bestSim = -1;
    let bestWild = -1;
    for (const c of leaf.clusters) {
      const { sim, wild } = similarity(c.template, tokens);
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
    }
    if (best !== undefined && bestSim >= this.opts.similarity) {
      for (let i = 0; i < tokens.length; i++) if (best.template[i] !== tokens[i]) best.template[i] = WILDCARD;
      best.size++;
      return best;
    }
    const c: DrainCluster = { id: this.all.length, template: [...tokens], size: 1 };
    leaf.clusters.push(c);
    this.all.push(c);
    return c;
  }

  /** Every cluster, in the order they were started. */
  clusters(): readonly DrainCluster[] {
    return this.all;
  }

  private leafFor(tokens: readonly string[]): Node {
    let node = child(this.root, String(tokens.length));
    const prefix = Math.min(this.opts.depth - 2, tokens.length);
    for (let i = 0; i < prefix; i++) {
      const t = tokens[i]!;
      const key = HAS_DIGIT.test(t) || t === WILDCARD ? WILDCARD : t;
      node = node.children.has(key) ? node.children.get(key)! : child(node, node.children.size + 1 >= this.opts.maxChildren ? WILDCARD : key);
    }
    return node;
  }
}

function child(node: Node, key: string): Node {
  let c = node.children.get(key);
  if (c === undefined) node.children.set(key, (c = newNode()));
  return c;
}

/** Share of positions where the template agrees with the tokens, a wildcard agreeing with
 *  anything (as Drain3 matches with `include_params`: otherwise two
 *  identical messages made mostly of values would not join), and the number of wildcards,
 *  which breaks ties towards the more general template. */
function similarity(template: readonly string[], tokens: readonly string[]): { sim: number; wild: number } {
  if (tokens.length === 0) return { sim: 1, wild: 0 };
  let same = 0;
  let wild = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = template[i];
    if (t === WILDCARD) {
      wild++;
      same++;
    } else if (t === tokens[i]) same++;
  }
  return { sim: same / tokens.length, wild };
}

/** Message → tokens for the miner: split on white space. */
export function tokenize(message: string): string[] {
  const t = message.trim();
  return t === '' ? [] : t.split(/\s+/);
}
