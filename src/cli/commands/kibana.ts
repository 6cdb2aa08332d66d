import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { EXIT_OK, UsageError, type CommandIO, type SalvageCommand } from '../command';
import { kibanaImportFile } from '../../kibana/build-file';
import { KIBANA_TARGET } from '../../kibana/target';
import { checkEsPrefix, ES_OPTIONS_HELP } from './es-index';

export interface KibanaArgs {
  out: string;
  'es-prefix': string;
}

export const kibanaCommand: SalvageCommand<KibanaArgs> = {
  name: 'kibana',
  describe: `Write the Kibana saved objects (data views, saved searches, dashboard) as an import file for Kibana ${KIBANA_TARGET}+ / 生成 Kibana 导入文件`,
  builder: (y: Argv) =>
    y
      .option('out', { type: 'string', demandOption: true, describe: 'the .ndjson file to write (Stack Management → Saved objects → Import) / 输出文件' })
      .option('es-prefix', { type: 'string', default: 'salvage', describe: `${ES_OPTIONS_HELP['es-prefix']}; the data views read these aliases` }),
  async run(args, io) {
    return kibanaCmd(args, io);
  },
};

async function kibanaCmd(args: KibanaArgs, io: CommandIO): Promise<number> {
  checkEsPrefix(args['es-prefix']);
  const out = resolve(io.cwd, args.out);
  let isDir = false;
  try {
    isDir = statSync(out).isDirectory();
  } catch {
    // not there yet: written below
  }
  if (isDir) throw new UsageError(`--out ${args.out} is a folder; give a file name such as ${join(args.out, 'salvage-saved-objects.ndjson')} / --out 应为文件名，而不是目录`);
  const { text, objects } = kibanaImportFile(args['es-prefix']);
  // Written beside the target and renamed over it: a reader never sees half a file.
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  io.stdout.write(`wrote ${objects} saved objects for Kibana ${KIBANA_TARGET} to ${args.out} / 已写入 ${objects} 个 Kibana 对象\n`);
  io.stdout.write(`import: Stack Management → Saved objects → Import, or curl -X POST "<kibana>/api/saved_objects/_import?overwrite=true" -H "kbn-xsrf: true" --form file=@${args.out} / 导入方法见 README\n`);
  return EXIT_OK;
}
