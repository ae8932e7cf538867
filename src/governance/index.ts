export type { Call, CallHandler, CallInfo, CallResult, Middleware, StreamCall, StreamResult, UnaryCall, UnaryResult } from './middleware.js';
