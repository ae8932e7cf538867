/**
 * A tiny authoritative DNS server on loopback UDP for resolver tests: answers A queries from a
 * table the test changes (TTL 0), AAAA and others with no records.
 */
import dgram from 'node:dgram';

/** A running test DNS server. */
export interface TestDnsServer {
  /** `127.0.0.1:port`, for a `dns://…/` target authority. */
  readonly authority: string;
  /** Sets the A records of a name (lower case, without the final dot). */
  set(name: string, ips: readonly string[]): void;
  /** Queries answered so far. */
  readonly queries: number;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const table = new Map<string, readonly string[]>();
  const sock = dgram.createSocket('udp4');
  let queries = 0;
  sock.on('message', (q, rinfo) => {
    if (q.length < 12) return;
    // The question: labels, then type and class.
    let p = 12;
    const labels: string[] = [];
    while (p < q.length && q[p]! !== 0) {
      labels.push(q.subarray(p + 1, p + 1 + q[p]!).toString('ascii'));
      p += 1 + q[p]!;
    }
    p++;
    if (p + 4 > q.length) return;
    queries++;
    const qtype = q.readUInt16BE(p);
    const question = q.subarray(12, p + 4);
    const ips = qtype === 1 ? (table.get(labels.join('.').toLowerCase()) ?? []) : [];
    const known = table.has(labels.join('.').toLowerCase());
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8400 | (q.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2); // QR AA RD, NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ips.length, 6);
    const answers = ips.map((ip) => {
      const a = Buffer.alloc(16);
      a.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      a.writeUInt16BE(1, 2); // A
      a.writeUInt16BE(1, 4); // IN
      a.writeUInt32BE(0, 6); // TTL 0
      a.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => (a[12 + i] = Number(o)));
      return a;
    });
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    authority: `127.0.0.1:${sock.address().port}`,
    set: (name, ips) => void table.set(name.toLowerCase(), ips),
    get queries() {
      return queries;
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}
