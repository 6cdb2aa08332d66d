// What a salvage process's exit code means. Here rather than in cli/ because a run's report
// (report.json → exit_code) says it too, and the steps that write it sit below the CLI.

/** Exit codes shared by every command (the README has the table). */
export const EXIT_OK = 0;
/** The run finished, but some input was damaged or some records failed to reach a sink. */
export const EXIT_DAMAGED = 1;
/** Usage or configuration error: nothing useful was done. */
export const EXIT_USAGE = 2;
/** The outputs could not be written (disk full, no permission, a file in the way); the inputs are untouched. */
export const EXIT_WRITE_FAILED = 5;
/** An unexpected internal error: one line on stderr, the full trace in a file it names. */
export const EXIT_INTERNAL = 6;
/** The event loop ran dry before the command had finished (a bug): said, never a silent 0. */
export const EXIT_UNFINISHED = 7;
/** Stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;
