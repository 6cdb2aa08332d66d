import { walkTar, type EntryVisitor } from './tar-entries';
import { walkZip } from './zip-entries';

/** The entries of a bundle, tar (plain or gzip) or zip, as told by its name. */
export function walkBundle(path: string, visit: EntryVisitor): Promise<string | undefined> {
  return /\.zip$/i.test(path) ? walkZip(path, visit) : walkTar(path, visit);
}
