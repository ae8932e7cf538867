/**
 * `idlcall health`: one `grpc.health.v1.Health/Check`, with grpc_health_probe's exit codes so
 * it drops into the same Kubernetes probes and scripts: 0 serving, 1 bad arguments,
 * 2 no connection, 3 the check failed, 4 not serving.
 */
import { RpcError, Code, CodecError } from '../../index.js';
import { GrpcChannel, unaryCall } from '../../http2/index.js';
import { decodeHealthResponse, encodeHealthRequest } from '../../reflection/health-service.js';
import { HEALTH_SERVICE } from '../../reflection/service-names.js';
import { parseArgs, type FlagSpec } from '../args.js';
import { CONNECTION_FLAGS, connectionSettings } from '../connect.js';
import { CliUsageError } from '../exit-codes.js';
import { parseDuration } from '../format.js';
import { healthHelp } from '../help.js';
import { checkHostPort } from '../idl.js';

/** grpc_health_probe's exit codes. */
export const HealthExit = {
  SERVING: 0,
  /** Bad arguments (the same code as every other command's usage errors). */
  USAGE: 1,
  CONNECTION_FAILED: 2,
  RPC_FAILED: 3,
  NOT_SERVING: 4,
} as const;

const FLAGS: readonly FlagSpec[] = CONNECTION_FLAGS;

const DEFAULT_TIMEOUT_MS = 5000;

/** Runs `idlcall health …`; resolves to the exit code. */
export async function healthCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'health');
  if (args.booleans.has('help')) {
    process.stdout.write(healthHelp);
    return HealthExit.SERVING;
  }
  const [hostPortArg, service = '', ...extra] = args.positionals;
  if (extra.length) throw new CliUsageError(`health: unexpected argument "${extra[0]}"`);
  const hostPort = checkHostPort(hostPortArg, 'health');
  const settings = connectionSettings(args, 'health');
  const connectText = args.strings.get('connect-timeout');
  const connectTimeoutMs = connectText === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(connectText, '--connect-timeout');
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const err = (line: string): void => void process.stderr.write(`${line}\n`);

  const channel = new GrpcChannel({
    hostPorts: [hostPort],
    connectTimeoutMs,
    maxReceiveMessageBytes: 64 * 1024,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.authority !== undefined ? { authority: settings.authority } : {}),
  });
  try {
    try {
      await channel.waitForReady();
    } catch (e) {
      err(`error: cannot connect to ${hostPort}: ${(e as Error).message.replace(/^UNAVAILABLE: /, '')}`);
      return HealthExit.CONNECTION_FAILED;
    }
    let bytes: Uint8Array;
    try {
      const res = await unaryCall(
        channel,
        { path: `/${HEALTH_SERVICE}/Check`, timeoutMs, ...(settings.metadata ? { metadata: settings.metadata } : {}) },
        encodeHealthRequest(service),
      );
      bytes = res.message;
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      if (e.code === Code.UNIMPLEMENTED) err(`error: the server at ${hostPort} does not implement ${HEALTH_SERVICE} (${e.message})`);
      else if (e.code === Code.DEADLINE_EXCEEDED) err(`timeout: the health check did not complete within ${timeoutMs} ms`);
      else err(`error: health check failed: ${e.message}`);
      return HealthExit.RPC_FAILED;
    }
    let status: string;
    try {
      status = decodeHealthResponse(bytes);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      err(`error: the health response could not be decoded: ${e.message}`);
      return HealthExit.RPC_FAILED;
    }
    process.stdout.write(`status: ${status}\n`);
    if (status === 'SERVING') return HealthExit.SERVING;
    err(`service ${service === '' ? '""' : service} is unhealthy (responded with ${status})`);
    return HealthExit.NOT_SERVING;
  } finally {
    void channel.close();
  }
}
