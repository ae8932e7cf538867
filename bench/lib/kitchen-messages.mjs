// Deterministic kitchen.Kitchen messages for the protobuf codec benchmarks
// (test/fixtures/proto-codec/kitchen.proto), as plain objects in the proto3 JSON
// form: small, medium and large with every non-WKT field kind, and the same three
// with well-known types added (Timestamp, Duration, Struct/Value/ListValue,
// wrappers, Int64Value, Any, FieldMask), the JSON users send most.

function inner(i, depth) {
  const o = { name: `inner-${i}`, id: String(1000000000000 + i * 7919), color: ['RED', 'GREEN', 'BLUE'][i % 3] };
  if (depth > 0) o.children = [inner(i * 3 + 1, depth - 1), inner(i * 3 + 2, depth - 1)];
  o.counts = { a: i, b: -i };
  return o;
}
function kitchen(scale) {
  const n = Math.max(1, scale);
  const m = {
    fDouble: 3.141592653589793, fFloat: 1.5, fInt64: '-9007199254740993', fUint64: '18446744073709551615',
    fInt32: -123456, fFixed64: '1234567890123', fFixed32: 4000000000, fBool: true,
    fString: 'hello, wörld ✓ "quoted"', fBytes: 'AAECAwQFBgcICQ==', fUint32: 4294967295, fSfixed32: -5,
    fSfixed64: '-42', fSint32: -77, fSint64: '-9223372036854775808', fEnum: 'GREEN',
    inner: inner(1, 1),
  };
  if (scale > 0) {
    const r = (f) => Array.from({ length: 4 * n }, (_, i) => f(i));
    Object.assign(m, {
      rDouble: r((i) => i * 1.25), rFloat: r((i) => i * 0.5), rInt64: r((i) => String(i * 1e12)), rUint64: r((i) => String(i * 3)),
      rInt32: r((i) => i - 5), rFixed64: r((i) => String(i)), rFixed32: r((i) => i * 1000), rBool: r((i) => i % 2 === 0),
      rString: r((i) => `item ${i}`), rBytes: r(() => 'aGVsbG8='), rUint32: r((i) => i), rSfixed32: r((i) => -i),
      rSfixed64: r((i) => String(-i)), rSint32: r((i) => -i * 100), rSint64: r((i) => String(-i * 1e10)), rEnum: r((i) => ['RED', 'BLUE'][i % 2]),
      inners: Array.from({ length: n }, (_, i) => inner(i, scale > 4 ? 3 : 1)),
      uInt32: r((i) => i), uSint64: r((i) => String(i * -7)), uEnum: r(() => 'RED'),
      mString: Object.fromEntries(r((i) => [`k${i}`, `v${i}`])),
      mInt32: Object.fromEntries(Array.from({ length: Math.min(n, 20) }, (_, i) => [String(i), inner(i, 0)])),
      mInt64: Object.fromEntries(r((i) => [String(i * 1e12), 'BLUE'])),
      mBool: { true: inner(9, 0) },
      choiceStr: 'picked', oInt32: 0, oString: 'opt', renamed: 'custom',
    });
  }
  return m;
}
/** [label, message] for small, medium and large, every non-WKT field kind. */
export function kitchenMessages() {
  return [
  ['small', { fInt32: 150, fString: 'hello world', fInt64: '1234567890123', fBool: true, fEnum: 'RED', fDouble: 2.5, inner: { name: 'inner', id: '42', color: 'BLUE' }, rInt32: [1, 2, 3, 300, -1], mString: { a: 'b' } }],
  ['medium', kitchen(2)],
  ['large', kitchen(120)],
  ];
}


/** Well-known-type fields for a message of `scale` (0: one of each). */
function wkt(scale) {
  const n = Math.max(1, scale);
  const w = {
    wTimestamp: '2026-12-07T12:34:56.789Z', wDuration: '3600.500s', wFieldMask: 'fInt32,inner.name,mString',
    wStruct: { name: 'widget', price: 9.99, tags: ['a', 'b'], nested: { ok: true, none: null } },
    wValue: { kind: 'event', at: 12.5, flags: [true, false] }, wList: [1, 'two', { three: 3 }, null],
    wAny: { '@type': 'type.googleapis.com/kitchen.Inner', name: 'boxed', id: '77', color: 'RED' },
    wDouble: 2.75, wInt64: '-9007199254740993', wUint64: '18446744073709551615', wInt32: -42, wUint32: 42,
    wBool: true, wString: 'wrapped ✓', wBytes: 'AQIDBA==', wFloat: 0.5,
  };
  if (scale > 0) {
    Object.assign(w, {
      wTimestamps: Array.from({ length: 4 * n }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 86400123).toISOString()),
      wValues: Object.fromEntries(Array.from({ length: 2 * n }, (_, i) => [`v${i}`, i % 3 === 0 ? { id: i, label: `x${i}` } : i % 3 === 1 ? [i, i + 0.5] : `s${i}`])),
      wAnys: Array.from({ length: n }, (_, i) => ({ '@type': 'type.googleapis.com/google.protobuf.Int64Value', value: String(i * 1e12) })),
    });
  }
  return w;
}

/** The same three messages with well-known-type fields at every size. */
export function kitchenWktMessages() {
  return kitchenMessages().map(([label, m], k) => [`${label}+WKT`, { ...m, ...wkt([0, 2, 120][k]) }]);
}
