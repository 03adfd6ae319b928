import type { OpenAPIObject } from '@nestjs/swagger';

const COMPONENT_PREFIX = '#/components/schemas/';
const SUFFIX = 'Dto';

/** Every node of a JSON tree, depth first. */
function* nodes(node: unknown): Generator<object> {
  if (Array.isArray(node)) for (const item of node) yield* nodes(item);
  else if (typeof node === 'object' && node !== null) {
    yield node;
    for (const value of Object.values(node)) yield* nodes(value);
  }
}

/**
 * The schemas as a client names its types: `Task`, not `TaskDto` (the suffix says where
 * the class lives in this code base, not what it is). Refuses to merge two schemas.
 */
function dropDtoSuffix(document: OpenAPIObject): void {
  const schemas = document.components?.schemas;
  if (!schemas) return;
  const names = new Map(
    Object.keys(schemas).map((name) => [name, name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : name]),
  );
  const renamed = new Set(names.values());
  if (renamed.size !== names.size) throw new Error('Two schemas differ only by their Dto suffix');
  // Keys and `$ref`s are rewritten in place, on the objects Swagger built.
  for (const node of nodes(document)) {
    const reference: unknown = Reflect.get(node, '$ref');
    if (typeof reference === 'string' && reference.startsWith(COMPONENT_PREFIX)) {
      const name = reference.slice(COMPONENT_PREFIX.length);
      Reflect.set(node, '$ref', `${COMPONENT_PREFIX}${names.get(name) ?? name}`);
    }
  }
  document.components = {
    ...document.components,
    schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [names.get(name) ?? name, schema])),
  };
}

/**
 * `{ allOf: [{ $ref }] }` alone (how Swagger refers to a named enum from a property) is
 * the `$ref` itself: the same schema, one level less for generators and linters.
 */
function unwrapLoneAllOf(document: OpenAPIObject): void {
  for (const node of nodes(document)) {
    const properties: unknown = Reflect.get(node, 'properties');
    if (typeof properties !== 'object' || properties === null) continue;
    for (const [name, property] of Object.entries(properties)) {
      const schema: unknown = property;
      if (typeof schema !== 'object' || schema === null) continue;
      const allOf: unknown = Reflect.get(schema, 'allOf');
      if (Object.keys(schema).length === 1 && Array.isArray(allOf) && allOf.length === 1) {
        const only: unknown = allOf[0];
        Reflect.set(properties, name, only);
      }
    }
  }
}

/** Component schemas named and shaped for clients (see the two steps above). */
export function tidySchemas(document: OpenAPIObject): OpenAPIObject {
  unwrapLoneAllOf(document);
  dropDtoSuffix(document);
  return document;
}
