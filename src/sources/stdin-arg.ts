/**
 * `-` on the command line (standard input). yargs drops a lone `-` from positionals, so main()
 * hands it to commands as this token instead.
 */
export const STDIN_ARG = 'salvage:stdin:-';
