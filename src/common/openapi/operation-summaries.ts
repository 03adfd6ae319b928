import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `listProjectTasks` → `List project tasks`. */
function sentenceOf(operationId: string): string {
  const words = operationId.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
  const sentence = words.join(' ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}`;
}

/**
 * One short summary per operation, the line Swagger UI and Redoc show in the operation
 * list: its operation id (the controller method's name, which is also the typed client's
 * method name) as a sentence, then a badge when `badge` has one (the minimum role:
 * `List tasks · viewer+`). The doc comment of the controller method is the description.
 */
export function summarizeOperations(
  document: OpenAPIObject,
  badge: (operation: OperationObject) => string | undefined,
): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation?.operationId) continue;
      const suffix = badge(operation);
      operation.summary = suffix
        ? `${sentenceOf(operation.operationId)} · ${suffix}`
        : sentenceOf(operation.operationId);
    }
  }
  return document;
}
