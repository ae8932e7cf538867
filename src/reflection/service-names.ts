/**
 * The full names of the services every idlcall server can add (gRPC health and server
 * reflection), apart from their codecs and schemas: a server routes on them long before,
 * and usually without ever, loading those.
 */

/** The health service's full name. */
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** Full names of the reflection services, newest first. */
export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;

/** The one method of both reflection services. */
export const REFLECTION_METHOD = 'ServerReflectionInfo';

/** The request paths of `ServerReflectionInfo` (v1 and v1alpha): what a server routes to reflection. */
export const REFLECTION_PATHS: ReadonlySet<string> = new Set(REFLECTION_SERVICES.map((s) => `/${s}/${REFLECTION_METHOD}`));
