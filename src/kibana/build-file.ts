import { kibanaAssets, toNdjson } from './assets';
import { checkFieldUses, checkImportFile, dataViewTitles, fieldUses } from './import-check';
import { kindOfTitle, templateFieldFacts } from './template-fields';

// The import file for one prefix, checked before anyone sees it: the import rules, and every
// field it names against the index templates. A failure here is a bug in salvage, not in use.

export function kibanaImportFile(prefix: string): { text: string; objects: number } {
  const text = toNdjson(kibanaAssets(prefix));
  const { problems, objects } = checkImportFile(text);
  const titles = dataViewTitles(text);
  const fieldProblems = checkFieldUses(fieldUses(text), (id) => titles.get(id), (title) => {
    const kind = kindOfTitle(prefix, title);
    return kind ? templateFieldFacts(kind) : new Map();
  });
  const all = [...problems.map((p) => `line ${p.line} ${p.object}: [${p.rule}] ${p.message}`), ...fieldProblems];
  if (all.length) throw new Error(`the Kibana objects salvage generated break an import rule:\n${all.join('\n')}`);
  return { text, objects };
}
