/**
 * The official TM Forum definitions (copied verbatim into `tmf/`) as ajv validators: every TMF answer a
 * test sees goes through `expectTmf`, so the facade cannot drift from the specification.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

const specFile = (name: string) => fileURLToPath(new URL(`../tmf/${name}`, import.meta.url));
const tmf622 = JSON.parse(readFileSync(specFile('TMF622-ProductOrder-v4.0.0.swagger.json'), 'utf8'));

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// Swagger 2.0 numeric formats, which JSON Schema leaves to the type.
for (const format of ['float', 'double', 'int32', 'int64']) ajv.addFormat(format, true);
ajv.addSchema({ $id: 'tmf622', definitions: tmf622.definitions });

export type Tmf622Definition =
  | 'ProductOrder'
  | 'CancelProductOrder'
  | 'Error'
  | 'EventSubscription'
  | 'ProductOrderItem'
  | 'ProductOrderCreateEvent'
  | 'ProductOrderStateChangeEvent'
  | 'ProductOrderAttributeValueChangeEvent'
  | 'ProductOrderInformationRequiredEvent'
  | 'CancelProductOrderCreateEvent'
  | 'CancelProductOrderStateChangeEvent';

/** Fails the test with every violation when `value` is not a valid instance of the TMF622 definition. */
export function expectTmf(definition: Tmf622Definition, value: unknown): void {
  const validate = ajv.getSchema(`tmf622#/definitions/${definition}`);
  if (!validate) throw new Error(`TMF622 v4 defines no ${definition}`);
  const valid = validate(value);
  expect(
    valid,
    `${definition}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`,
  ).toBe(true);
}

/** The read APIs' specifications, by the name their tests give them. */
const readSpecs = {
  TMF648: 'TMF648-Quote-v4.0.0.swagger.json',
  TMF641: 'TMF641-ServiceOrdering-v4.1.0.swagger.json',
  TMF637: 'TMF637-ProductInventory-v4.0.0.swagger.json',
  TMF638: 'TMF638-ServiceInventory-v4.0.0.swagger.json',
} as const;
for (const [name, file] of Object.entries(readSpecs))
  ajv.addSchema({ $id: name, definitions: JSON.parse(readFileSync(specFile(file), 'utf8')).definitions });

/** Fails the test with every violation when `value` is not a valid instance of the spec's definition. */
export function expectTmfOf(spec: keyof typeof readSpecs, definition: string, value: unknown): void {
  const validate = ajv.getSchema(`${spec}#/definitions/${definition}`);
  if (!validate) throw new Error(`${spec} defines no ${definition}`);
  expect(
    validate(value),
    `${spec} ${definition}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`,
  ).toBe(true);
}
