// Loaded with `node --require` into the real CLI (through NODE_OPTIONS, so the re-executed
// child has it too) when the test cannot mount a small tmpfs: every write to a file under
// SALVAGE_TEST_ENOSPC_UNDER fails as on a full disk.

import fs from 'node:fs';

const under = process.env.SALVAGE_TEST_ENOSPC_UNDER;
if (under) {
  const doomed = new Set<number>();
  const full = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const mod = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const openSync = mod.openSync!;
  mod.openSync = (...a: unknown[]) => {
    const fd = openSync(...a) as number;
    if (String(a[0]).startsWith(under)) doomed.add(fd);
    return fd;
  };
  const open = mod.open!;
  mod.open = (...a: unknown[]) => {
    const cb = a[a.length - 1] as (e: unknown, fd?: number) => void;
    a[a.length - 1] = (e: unknown, fd?: number) => {
      if (!e && String(a[0]).startsWith(under)) doomed.add(fd!);
      cb(e, fd);
    };
    return open(...a);
  };
  for (const name of ['write', 'writev']) {
    const orig = mod[name]!;
    mod[name] = (...a: unknown[]) => {
      if (!doomed.has(a[0] as number)) return orig(...a);
      const cb = a[a.length - 1] as (e: unknown) => void;
      process.nextTick(() => cb(full()));
      return undefined;
    };
  }
  const writeSync = mod.writeSync!;
  mod.writeSync = (...a: unknown[]) => {
    if (doomed.has(a[0] as number)) throw full();
    return writeSync(...a);
  };
}
