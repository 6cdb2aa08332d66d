// Writers for baseline fixtures: an orders table as CSV (with a header row) or as a MySQL dump
// in mysqldump's shape (comments, conditional comments, CREATE TABLE, LOCK TABLES, multi-row
// INSERTs), with MySQL string escaping.

export type Row = Record<string, string | number | null>;

export const DUJIAOKA_COLUMNS = [
  'id', 'order_sn', 'goods_id', 'coupon_id', 'title', 'type', 'goods_price', 'buy_amount', 'coupon_discount_price', 'wholesale_discount_price',
  'total_price', 'actual_price', 'search_pwd', 'email', 'info', 'pay_id', 'buy_ip', 'trade_no', 'status', 'coupon_ret_back', 'created_at', 'updated_at', 'deleted_at',
];

/** MySQL string literal, escaped as mysqldump does (and `'` as `''` when asked, as some tools do). */
export function sqlString(s: string, doubledQuote = false): string {
  let out = "'";
  for (const c of s) {
    switch (c) {
      case '\\': out += '\\\\'; break;
      case "'": out += doubledQuote ? "''" : "\\'"; break;
      case '"': out += '\\"'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\0': out += '\\0'; break;
      case '\x1a': out += '\\Z'; break;
      default: out += c;
    }
  }
  return out + "'";
}

export function sqlValue(v: string | number | null, doubledQuote = false): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  return sqlString(v, doubledQuote);
}

export interface DumpOptions {
  table?: string;
  /** Omit the column list from the INSERTs (relies on CREATE TABLE). */
  noColumnList?: boolean;
  /** Leave out the CREATE TABLE. */
  noCreate?: boolean;
  /** Rows per INSERT statement. */
  perInsert?: number;
  doubledQuote?: boolean;
}

export function createTable(table: string, columns: string[]): string {
  const defs = columns.map((c) => `  \`${c}\` ${c === 'id' ? 'bigint(20) unsigned NOT NULL AUTO_INCREMENT' : "varchar(200) DEFAULT NULL COMMENT '说明, 含逗号 (括号)'"}`);
  return `DROP TABLE IF EXISTS \`${table}\`;\n/*!40101 SET @saved_cs_client     = @@character_set_client */;\nCREATE TABLE \`${table}\` (\n${defs.join(',\n')},\n  PRIMARY KEY (\`id\`),\n  UNIQUE KEY \`orders_order_sn_unique\` (\`${columns[1]}\`),\n  KEY \`idx_x\` (\`${columns[1]}\`,\`id\`)\n) ENGINE=InnoDB AUTO_INCREMENT=201 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n/*!40101 SET character_set_client = @saved_cs_client */;\n`;
}

export function mysqlDump(columns: string[], rows: Row[], opts: DumpOptions = {}): string {
  const table = opts.table ?? 'orders';
  const per = opts.perInsert ?? 50;
  let out = '-- MySQL dump 10.13  Distrib 5.7.44, for Linux (x86_64)\n--\n-- Host: localhost    Database: dujiaoka\n-- ------------------------------------------------------\n';
  out += '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n\n';
  // Another table first: its rows must be ignored.
  out += createTable('carmis', ['id', 'goods_id', 'carmi']);
  out += "INSERT INTO `carmis` VALUES (1,3,'KEY-1'),(2,3,'KEY-2');\n";
  if (!opts.noCreate) out += createTable(table, columns);
  out += `\n--\n-- Dumping data for table \`${table}\`\n--\n\nLOCK TABLES \`${table}\` WRITE;\n/*!40000 ALTER TABLE \`${table}\` DISABLE KEYS */;\n`;
  const colList = opts.noColumnList ? '' : ` (${columns.map((c) => `\`${c}\``).join(', ')})`;
  for (let i = 0; i < rows.length; i += per) {
    const tuples = rows.slice(i, i + per).map((r) => `(${columns.map((c) => sqlValue(r[c] ?? null, opts.doubledQuote)).join(',')})`);
    out += `INSERT INTO \`${table}\`${colList} VALUES ${tuples.join(',')};\n`;
  }
  out += `/*!40000 ALTER TABLE \`${table}\` ENABLE KEYS */;\nUNLOCK TABLES;\n/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n\n-- Dump completed on 2026-11-21 12:00:01\n`;
  return out;
}

function csvCell(v: string | number | null): string {
  if (v === null) return 'NULL';
  const s = String(v);
  return /[",\r\n]/.test(s) || s === 'NULL' ? `"${s.replace(/"/g, '""')}"` : s;
}

export function ordersCsv(columns: string[], rows: Row[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(','))].join('\r\n') + '\r\n';
}
