export type { Call, CallHandler, CallInfo, CallResult, Middleware, StreamCall, StreamResult, UnaryCall, UnaryResult } from './middleware.js';
export { otelMiddleware, type OtelMiddlewareOptions } from './otel/otel-middleware.js';
