// An independent Parquet reader for the export tests (issue 16): hyparquet, pure JavaScript.
// usage: node read-parquet.mjs <node_modules dir> <file.parquet>
// Prints JSON: row count, row groups, each column's physical and logical type, sums of numeric
// columns, and the distinct text values of text columns (so a test can look for personal data).
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [modules, file] = process.argv.slice(2);
const hp = await import(pathToFileURL(path.join(modules, 'hyparquet', 'src', 'node.js')).href);
const buffer = await hp.asyncBufferFromFile(file);
const metadata = await hp.parquetMetadataAsync(buffer);
const rows = await hp.parquetReadObjects({ file: buffer, metadata });
const columns = metadata.schema.slice(1).map(s => ({
  name: s.name,
  type: s.type,
  logical: s.logical_type ? s.logical_type.type : (s.converted_type ?? null),
  scale: s.scale ?? null,
}));
const sums = {};
const texts = {};
for (const c of columns) {
  let sum = 0;
  const seen = new Set();
  for (const r of rows) {
    const v = r[c.name];
    if (typeof v === 'number') sum += v;
    else if (typeof v === 'bigint') sum += Number(v);
    else if (typeof v === 'string' && seen.size < 100000) seen.add(v);
  }
  sums[c.name] = sum;
  if (seen.size) texts[c.name] = [...seen];
}
const first = rows.length ? Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v])) : null;
process.stdout.write(JSON.stringify({ rows: rows.length, rowGroups: metadata.row_groups.length, columns, sums, texts, first }));
