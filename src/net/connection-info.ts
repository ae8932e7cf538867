/**
 * What a client learnt when one of its connections was set up: where the
 * name resolved to, the protocol agreed on and, over TLS, who the peer is.
 * Transports report it through an `onConnect` option so that tools can
 * print the story of a connection (`idlcall call -v`) without a second
 * connection of their own.
 */
import type net from 'node:net';
import type tls from 'node:tls';

/** The server's certificate as a TLS client saw it. */
export interface TlsPeerInfo {
  /** Negotiated protocol version, e.g. `TLSv1.3`. */
  readonly version: string;
  /** Negotiated cipher suite, e.g. `TLS_AES_256_GCM_SHA384`. */
  readonly cipher: string;
  /** The ALPN protocol the server chose (`h2`), or undefined when it chose none. */
  readonly alpn: string | undefined;
  /** Whether the certificate chain verified against the trusted CAs. */
  readonly authorized: boolean;
  /** Why it did not verify (`DEPTH_ZERO_SELF_SIGNED_CERT`…), when it did not. */
  readonly authorizationError: string | undefined;
  /** The certificate's subject, e.g. `CN=localhost`. */
  readonly subject: string;
  /** Its issuer, e.g. `CN=Example CA`. */
  readonly issuer: string;
  /** Its subjectAltName extension as OpenSSL prints it (`DNS:localhost, IP Address:127.0.0.1`). */
  readonly subjectAltName: string | undefined;
  /** The last day it is valid, as in the certificate (`Dec  9 08:00:00 2026 GMT`). */
  readonly validTo: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  readonly fingerprint256: string;
}

/** One connection a client opened. */
export interface ConnectionInfo {
  /** The `host:port` the client was asked to reach. */
  readonly target: string;
  /** The address the name resolved to and the connection reached. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** This side's address and port. */
  readonly localAddress: string;
  readonly localPort: number;
  /** `h2` (gRPC over TLS), `h2c` (gRPC in plaintext) or the ping-pong transport's name. */
  readonly protocol: string;
  /** Present when the connection is TLS. */
  readonly tls: TlsPeerInfo | undefined;
}

/** Receives each connection a client opens, once it is ready for calls. */
export type ConnectListener = (info: ConnectionInfo) => void;

/** `ip:port`, with brackets around an IPv6 address. */
export function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Describes a connected socket (plain TCP or TLS). */
export function describeConnection(socket: net.Socket, target: string, protocol: string): ConnectionInfo {
  return {
    target,
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
    protocol,
    tls: isTls(socket) ? tlsPeerOf(socket) : undefined,
  };
}

function isTls(socket: net.Socket): socket is tls.TLSSocket {
  return (socket as Partial<tls.TLSSocket>).encrypted === true;
}

function tlsPeerOf(socket: tls.TLSSocket): TlsPeerInfo {
  const cert = socket.getPeerCertificate();
  const err = socket.authorizationError as Error | string | null | undefined;
  return {
    version: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.standardName ?? '',
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : undefined,
    authorized: socket.authorized,
    authorizationError: err ? String(err instanceof Error ? err.message : err) : undefined,
    subject: distinguishedName(cert?.subject),
    issuer: distinguishedName(cert?.issuer),
    subjectAltName: cert?.subjectaltname || undefined,
    validTo: cert?.valid_to ?? '',
    fingerprint256: cert?.fingerprint256 ?? '',
  };
}

/** `CN=localhost, O=Example` from node's certificate subject object. */
function distinguishedName(dn: tls.Certificate | undefined): string {
  if (!dn) return '';
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}
