/**
 * A Thrift method answered with one of its declared exceptions (`throws`):
 * the result struct carried that exception instead of `success`. Over gRPC
 * this arrives with grpc-status 0, over TTHeader as a REPLY; either way the
 * call rejects with this error, never resolves as success.
 */
export class DeclaredException extends Error {
  override readonly name = 'DeclaredException';
  /** The exception's IDL type name, e.g. `KitchenError` or `base.BaseError`. */
  readonly typeName: string;
  /** The result-struct field that carried it (its `throws` name and id). */
  readonly fieldName: string;
  readonly fieldId: number;
  /** The exception value as JSON text, in the generic's JSON mapping. */
  readonly json: string;

  constructor(typeName: string, fieldName: string, fieldId: number, json: string) {
    super(`${typeName}: ${json}`);
    this.typeName = typeName;
    this.fieldName = fieldName;
    this.fieldId = fieldId;
    this.json = json;
  }
}

/**
 * For generic-server handlers: throw `thriftException('KitchenError', json)`
 * to answer with that declared exception (by type name or `throws` field name).
 */
export function thriftException(typeOrFieldName: string, json: string): DeclaredException {
  return new DeclaredException(typeOrFieldName, '', 0, json);
}
