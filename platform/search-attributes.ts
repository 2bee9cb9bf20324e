import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS; its named exports are not visible to ESM, the default export is.
const { temporal } = proto;
type IndexedValueTypeValue = proto.temporal.api.enums.v1.IndexedValueType;
import { allSearchAttributes } from '../workflows/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const indexedTypeOf: Record<string, IndexedValueTypeValue> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** `--search-attribute` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword',
    TEXT: 'Text',
    BOOL: 'Bool',
    INT: 'Int',
    DOUBLE: 'Double',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  return allSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

/** Registers every project search attribute missing on the namespace; a no-op when all exist. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  await addSearchAttributes(
    connection,
    namespace,
    allSearchAttributes.filter((key) => !known.has(key.name)),
  );
}

/**
 * Registers the given search attributes (by default every one of the project), without asking first what
 * exists: the time-skipping test server cannot list them.
 */
export async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly (typeof allSearchAttributes)[number][] = allSearchAttributes,
): Promise<void> {
  if (keys.length === 0) return;
  const searchAttributes: Record<string, IndexedValueTypeValue> = {};
  for (const key of keys) searchAttributes[key.name] = indexedTypeOf[key.type];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    // Two processes starting at once may race to add the same attribute; that one already exists is fine.
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}
