// A member of a bundle is named `bundle.tar.gz!/path/in/bundle.log`, the way jar: URLs and
// several archive tools write it, so one string carries both where the bundle is and which
// member inside it was read. Ordinary file names never contain `!/` in practice.

export const MEMBER_SEP = '!/';

export interface MemberRef {
  bundle: string;
  member: string;
}

export function memberPath(bundle: string, member: string): string {
  return bundle + MEMBER_SEP + member;
}

/** The bundle and member a path names, or null for an ordinary file. */
export function splitMemberPath(path: string): MemberRef | null {
  const at = path.indexOf(MEMBER_SEP);
  if (at <= 0) return null;
  return { bundle: path.slice(0, at), member: path.slice(at + MEMBER_SEP.length) };
}

const BUNDLE_NAME = /\.(tar|tar\.gz|tgz|zip)$/i;

/** Bundles are known by their name: a `.tar.gz` is also gzip, and would otherwise be read as one log. */
export function isBundleName(path: string): boolean {
  return BUNDLE_NAME.test(path);
}

/** Member names as the report shows them: `./a/b.log` and `a/b.log` are the same member. */
export function normalMemberName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}
