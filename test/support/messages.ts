/**
 * The JSON shape of the example services' messages (`{ "message": … }` in both
 * examples/idl/streaming.proto and streaming.thrift), for suites that build and read them.
 */

/** The `message` of a JSON request or response. */
export const messageOf = (json: string | undefined): string => (JSON.parse(json!) as { message: string }).message;

/** A JSON request or response carrying `message`. */
export const reply = (message: string): string => JSON.stringify({ message });
