#!/usr/bin/python3
"""Apache Thrift (Debian python3-thrift) peer for the idlcall Thrift codec tests.

Usage: thrift_codec_peer.py <gen-py dir> <module> [<module>...]

Reads one JSON request per line on stdin and answers one JSON line each:
  {"op": "encode", "proto": "binary"|"compact", "type": "Everything", "value": <canonical>} -> {"hex": "..."}
  {"op": "decode", "proto": ..., "type": ..., "hex": "..."}                          -> {"value": <canonical>}
Errors answer {"error": "..."}.

Canonical form (type-directed, shared with the TypeScript test): i64 as decimal
strings, binary as base64, sets as arrays, maps as arrays of [key, value]
pairs, structs as objects of their non-None fields keyed by IDL name.
"""
import base64
import importlib
import json
import sys

sys.path.insert(0, sys.argv[1])
from thrift.Thrift import TType  # noqa: E402
from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.transport import TTransport  # noqa: E402

MODULES = [importlib.import_module(m + '.ttypes') for m in sys.argv[2:]]


def find_class(name):
    for m in MODULES:
        c = getattr(m, name, None)
        if c is not None:
            return c
    raise KeyError(name)


def to_canon(ttype, targs, v):
    if ttype == TType.BOOL:
        return bool(v)
    if ttype in (TType.BYTE, TType.I16, TType.I32):
        return int(v)
    if ttype == TType.I64:
        return str(v)
    if ttype == TType.DOUBLE:
        return float(v)
    if ttype == TType.STRING:
        if targs == 'BINARY':
            return base64.b64encode(v).decode('ascii')
        return v
    if ttype in (TType.LIST, TType.SET):
        et, ea, _ = targs
        return [to_canon(et, ea, e) for e in v]
    if ttype == TType.MAP:
        kt, ka, vt, va, _ = targs
        return [[to_canon(kt, ka, k), to_canon(vt, va, x)] for k, x in v.items()]
    if ttype == TType.STRUCT:
        return struct_to_canon(targs[0], v)
    raise ValueError('unsupported type %r' % ttype)


def struct_to_canon(cls, obj):
    out = {}
    for spec in cls.thrift_spec:
        if spec is None:
            continue
        _, ttype, name, targs, _ = spec
        v = getattr(obj, name)
        if v is not None:
            out[name] = to_canon(ttype, targs, v)
    return out


def from_canon(ttype, targs, v):
    if ttype == TType.BOOL:
        return bool(v)
    if ttype in (TType.BYTE, TType.I16, TType.I32):
        return int(v)
    if ttype == TType.I64:
        return int(v)
    if ttype == TType.DOUBLE:
        return float(v)
    if ttype == TType.STRING:
        if targs == 'BINARY':
            return base64.b64decode(v)
        return v
    if ttype == TType.LIST:
        et, ea, _ = targs
        return [from_canon(et, ea, e) for e in v]
    if ttype == TType.SET:
        et, ea, _ = targs
        return set(from_canon(et, ea, e) for e in v)
    if ttype == TType.MAP:
        kt, ka, vt, va, _ = targs
        return dict((from_canon(kt, ka, k), from_canon(vt, va, x)) for k, x in v)
    if ttype == TType.STRUCT:
        return struct_from_canon(targs[0], v)
    raise ValueError('unsupported type %r' % ttype)


def struct_from_canon(cls, d):
    obj = cls()
    for spec in cls.thrift_spec:
        if spec is None:
            continue
        _, ttype, name, targs, _ = spec
        if name in d:
            setattr(obj, name, from_canon(ttype, targs, d[name]))
    return obj


def protocol(kind, trans):
    if kind == 'compact':
        return TCompactProtocol.TCompactProtocol(trans)
    return TBinaryProtocol.TBinaryProtocol(trans, strictRead=True, strictWrite=True)


def handle(req):
    cls = find_class(req['type'])
    if req['op'] == 'encode':
        obj = struct_from_canon(cls, req['value'])
        trans = TTransport.TMemoryBuffer()
        obj.write(protocol(req['proto'], trans))
        return {'hex': trans.getvalue().hex()}
    if req['op'] == 'decode':
        trans = TTransport.TMemoryBuffer(bytes.fromhex(req['hex']))
        obj = cls()
        obj.read(protocol(req['proto'], trans))
        return {'value': struct_to_canon(cls, obj)}
    raise ValueError('unknown op')


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            out = handle(json.loads(line))
        except Exception as e:  # answer every line, keep going
            out = {'error': '%s: %s' % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
