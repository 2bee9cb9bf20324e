/**
 * Member lists by upload (000: "upload a list of locations or subscribers"): a CSV of
 * `ref,kind,name,address,group` checked row by row, refused whole with every problem, or made into the
 * quote's next version through the same path as `PATCH /quotes/:id`.
 */
import { parse } from 'csv-parse/sync';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../../domain/roles';
import type { AppDeps } from '../deps';
import { ApiError, type ErrorDetail } from '../errors';
import { memberSchema, ref as refSchema } from '../schemas/common';
import { maxQuoteMembers, type MembersQuery } from '../schemas/quotes';
import { getQuote, reviseQuote } from './quotes';

export const memberColumns = ['ref', 'kind', 'name', 'address', 'group'] as const;
const required = ['ref', 'kind', 'name'];
/** The most members a quote holds (the JSON body's limit too). */
const maxRows = maxQuoteMembers;
/** A bad file's answer lists this many problems at most, and says how many more there were. */
const maxDetails = 500;

type Member = { ref: string; kind: 'location' | 'subscriber'; name: string; address?: string };
type Group = { ref: string; name: string; memberRefs: string[] };

/** Reads the file: members and groups, or every problem of every row. */
export function readMemberList(csv: string): { members: Member[]; groups: Group[]; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    problems.push({
      field: 'file',
      rule: 'csv',
      message: `the file is not CSV${line ? ` (line ${line})` : ''}: ${(err as Error).message}`,
    });
    return { members: [], groups: [], problems };
  }
  const [header = [], ...rows] = records;
  const columns = header.map((c) => c.toLowerCase());
  columns.forEach((c, i) => {
    if (!(memberColumns as readonly string[]).includes(c))
      problems.push({
        field: `header.${i}`,
        column: c,
        rule: 'known_column',
        message: `column "${header[i]}" is not one of ${memberColumns.join(', ')}`,
      });
    else if (columns.indexOf(c) !== i)
      problems.push({
        field: `header.${i}`,
        column: c,
        rule: 'unique',
        message: `column "${c}" appears twice`,
      });
  });
  for (const c of required)
    if (!columns.includes(c))
      problems.push({
        field: 'header',
        column: c,
        rule: 'required',
        message: `the header has no column "${c}"`,
      });
  if (rows.length === 0)
    problems.push({ field: 'file', rule: 'not_empty', message: 'the file has no member rows' });
  if (rows.length > maxRows)
    problems.push({
      field: 'file',
      rule: 'max_rows',
      message: `the file has ${rows.length} member rows; a quote holds at most ${maxRows}`,
    });
  if (problems.length > 0) return { members: [], groups: [], problems };

  const members: Member[] = [];
  const groups = new Map<string, Group>();
  const rowOfRef = new Map<string, number>();
  rows.forEach((cells, i) => {
    const row = i + 1;
    const at = (column: string, rule: string, message: string) =>
      problems.push({ field: `rows.${row}.${column}`, row, column, rule, message: `row ${row}: ${message}` });
    if (cells.length !== columns.length) {
      at('*', 'column_count', `has ${cells.length} cells; the header has ${columns.length}`);
      return;
    }
    const cell = (c: string) => {
      const value = cells[columns.indexOf(c)];
      return value === undefined || value === '' ? undefined : value;
    };
    const parsed = memberSchema.safeParse({
      ref: cell('ref'),
      kind: cell('kind'),
      name: cell('name'),
      address: cell('address'),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '*');
        at(
          column,
          issue.code,
          `${column} ${cell(column) === undefined ? 'is missing' : issue.message.toLowerCase()}`,
        );
      }
      return;
    }
    const member = parsed.data;
    const first = rowOfRef.get(member.ref);
    if (first !== undefined) at('ref', 'unique', `ref "${member.ref}" is already used by row ${first}`);
    rowOfRef.set(member.ref, row);
    members.push(member);
    // A member may belong to several groups: `north;premium`.
    for (const name of (cell('group') ?? '')
      .split(';')
      .map((g) => g.trim())
      .filter(Boolean)) {
      if (!refSchema.safeParse(name).success) {
        at('group', 'too_big', `group "${name.slice(0, 60)}" is longer than 50 characters`);
        continue;
      }
      const group = groups.get(name) ?? { ref: name, name, memberRefs: [] };
      group.memberRefs.push(member.ref);
      groups.set(name, group);
    }
  });
  for (const group of groups.values()) {
    const row = rowOfRef.get(group.ref);
    if (row !== undefined)
      problems.push({
        field: `rows.${row}.group`,
        row,
        column: 'group',
        rule: 'unique',
        message: `group "${group.ref}" has the ref of the member on row ${row}`,
      });
  }
  return { members, groups: [...groups.values()], problems };
}

/**
 * Makes the quote's next version from an uploaded member list. `replace` (the default): the file is the
 * list of members and groups; `merge`: the file's rows are added to the current ones (a row with a
 * member's ref replaces it, its groups gain members). Items carry over and must still find their member
 * or group (422 otherwise, as for `PATCH`).
 */
export async function uploadMembers(
  deps: AppDeps,
  quoteId: string,
  csv: string,
  query: MembersQuery,
  who: Actor,
  log: FastifyBaseLogger,
) {
  const read = readMemberList(csv);
  if (read.problems.length > 0) {
    const shown = read.problems.slice(0, maxDetails);
    const more = read.problems.length - shown.length;
    // The document can say "CSV text", not the grammar and member rules inside it: a file that breaks
    // them is content the API cannot take (422), as a business rule is; an empty body is a 400.
    throw new ApiError(
      422,
      'unprocessable',
      `The member list is refused: ${read.problems.length} problem${read.problems.length === 1 ? '' : 's'}${more > 0 ? ` (the first ${maxDetails} listed)` : ''}; nothing was changed`,
      shown,
    );
  }
  let { members, groups } = read;
  if (query.mode === 'merge') {
    const quote = await getQuote(deps, quoteId);
    const current = quote.versions.find((v) => v.version === quote.version)!;
    const uploaded = new Set(members.map((m) => m.ref));
    members = [
      ...current.members
        .filter((m) => !uploaded.has(m.ref))
        .map((m) => ({ ...m, address: m.address ?? undefined })),
      ...members,
    ];
    const merged = new Map(current.groups.map((g) => [g.ref, { ...g, memberRefs: [...g.memberRefs] }]));
    for (const g of groups) {
      const existing = merged.get(g.ref);
      if (!existing) merged.set(g.ref, g);
      else existing.memberRefs = [...new Set([...existing.memberRefs, ...g.memberRefs])];
    }
    groups = [...merged.values()];
  }
  return reviseQuote(deps, quoteId, { members, groups }, who, log);
}
