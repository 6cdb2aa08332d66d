/**
 * Thrown for broken usage or configuration (a bad option, an unreadable keys file); the CLI
 * prints it and exits 2. Record-level problems are values, never this. It lives here, not in
 * cli/, because config readers and the simulator throw it too, and they must not import the CLI.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
