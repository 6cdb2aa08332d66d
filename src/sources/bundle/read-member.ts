import { walkBundle } from './walk-bundle';

// The bytes of one member, read in place: the bundle is streamed from its start up to the
// member (a tar.gz has no index, so members further in cost a decompression pass over the
// ones before them; a zip's index takes reading straight to it), the member is delivered, and
// reading stops there.

export interface MemberReadEnd {
  found: boolean;
  /** Damage met before or inside the member. */
  damage?: string;
}

export async function readMember(
  bundle: string,
  member: string,
  onChunk: (chunk: Buffer) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<MemberReadEnd> {
  let found = false;
  let cut: string | undefined;
  const damage = await walkBundle(bundle, async ({ name, header, stream }) => {
    const type = header.type ?? 'file';
    if (found || name !== member || (type !== 'file' && type !== 'contiguous-file')) {
      stream.resume();
      return false;
    }
    found = true;
    let got = 0;
    for await (const c of stream) {
      if (signal?.aborted) return true;
      got += (c as Buffer).length;
      await onChunk(c as Buffer);
    }
    // The bundle may end inside the member without the stream saying so: the header's size is the check.
    if (typeof header.size === 'number' && got < header.size) cut = `the bundle ends inside this member: ${got} of its ${header.size} bytes are there`;
    return true;
  });
  const why = cut ?? damage;
  return { found, ...(why ? { damage: why } : {}) };
}
