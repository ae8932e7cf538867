/** gRPC status codes (grpc/grpc doc/statuscodes.md). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code number (0–16; Kitex also uses its own codes above 16, e.g. 20). */
export type Code = number;

const names: string[] = Object.keys(Code);

/** The upper-case name of a code (`NOT_FOUND`), or `CODE_<n>` for codes outside the standard set. */
export function codeName(code: number): string {
  return names[code] ?? `CODE_${code}`;
}
