/**
 * Malformed .proto inputs: each must fail with an IdlError at the exact
 * file:line:column with an actionable message (and never a crash or a partial
 * registry).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdlError } from '../../../src/errors/idl-error.js';
import { parseProtoContent } from '../../../src/idl-parser/proto/index.js';
import { PROTO_INCLUDE, oracles } from '../../support/oracles.js';

const protocReady = oracles('protoc', 'wkt');

interface Case {
  readonly name: string;
  readonly text: string;
  readonly files?: Record<string, string>;
  readonly mainName?: string;
  /** `file:line:col: reason` */
  readonly error: string;
}

const cases: Case[] = [
  {
    name: 'unterminated string',
    text: 'syntax = "proto3";\nmessage A { string s = 1 [json_name = "abc]; }\n',
    error: 'main.proto:2:39: string literals cannot cross line boundaries',
  },
  {
    name: 'string across lines',
    text: 'syntax = "proto2";\noption java_package = "a\nb";\n',
    error: 'main.proto:2:23: string literals cannot cross line boundaries',
  },
  {
    name: 'unterminated block comment',
    text: 'syntax = "proto3";\n/* never closed\nmessage A {}\n',
    error: 'main.proto:2:1: unterminated block comment ("/*" without "*/")',
  },
  {
    name: 'bad escape',
    text: 'syntax = "proto3";\noption go_package = "a\\qb";\n',
    error: 'main.proto:2:23: invalid escape sequence "\\q"',
  },
  {
    name: 'bad hex escape',
    text: 'syntax = "proto3";\noption go_package = "\\xg";\n',
    error: 'main.proto:2:22: expected hex digits after "\\x"',
  },
  {
    name: 'short unicode escape',
    text: 'syntax = "proto3";\noption go_package = "\\u12";\n',
    error: 'main.proto:2:22: expected 4 hex digits after "\\u"',
  },
  {
    name: 'invalid character',
    text: 'syntax = "proto3";\nmessage A { int32 a = 1; } #\n',
    error: 'main.proto:2:28: expected "message", "enum", "service", "extend", "import", "package" or "option", found "#"',
  },
  {
    name: 'leading zero non octal',
    text: 'syntax = "proto2";\nmessage A { optional int32 a = 09; }\n',
    error: 'main.proto:2:32: numbers starting with a leading zero must be in octal',
  },
  {
    name: 'number then identifier',
    text: 'syntax = "proto3";\nmessage A { int32 a = 1abc; }\n',
    error: 'main.proto:2:23: need space between number and identifier',
  },
  {
    name: 'bare 0x',
    text: 'syntax = "proto3";\nmessage A { int32 a = 0x; }\n',
    error: 'main.proto:2:23: "0x" must be followed by hex digits',
  },
  {
    name: 'unknown syntax',
    text: 'syntax = "proto4";\n',
    error: 'main.proto:1:10: unrecognized syntax "proto4"; expected "proto2" or "proto3"',
  },
  {
    name: 'unsupported edition',
    text: 'edition = "2024";\n',
    error: 'main.proto:1:11: unsupported edition "2024"; supported editions: 2023',
  },
  {
    name: 'syntax not first',
    text: 'package a;\nsyntax = "proto3";\n',
    error: 'main.proto:2:1: "syntax" must be the first statement of the file',
  },
  {
    name: 'missing semicolon after package',
    text: 'syntax = "proto3";\npackage a.b\nmessage A {}\n',
    error: 'main.proto:3:1: expected ";" after package name, found "message"',
  },
  {
    name: 'two packages',
    text: 'syntax = "proto3";\npackage a;\npackage b;\n',
    error: 'main.proto:3:1: multiple package definitions',
  },
  {
    name: 'unknown top-level',
    text: 'syntax = "proto3";\nmesage A {}\n',
    error: 'main.proto:2:1: expected "message", "enum", "service", "extend", "import", "package" or "option", found "mesage"',
  },
  {
    name: 'import without string',
    text: 'syntax = "proto3";\nimport foo;\n',
    error: 'main.proto:2:8: expected a quoted file name after "import", found "foo"',
  },
  {
    name: 'missing field number',
    text: 'syntax = "proto3";\nmessage A { string s; }\n',
    error: 'main.proto:2:21: expected "=" after field name "s", found ";"',
  },
  {
    name: 'missing equals',
    text: 'syntax = "proto3";\nmessage A { string s 1; }\n',
    error: 'main.proto:2:22: expected "=" after field name "s", found "1"',
  },
  {
    name: 'negative field number',
    text: 'syntax = "proto3";\nmessage A { string s = -1; }\n',
    error: 'main.proto:2:24: expected field number for "s", found "-"',
  },
  {
    name: 'proto2 missing label',
    text: 'syntax = "proto2";\nmessage A { int32 a = 1; }\n',
    error: 'main.proto:2:13: expected "required", "optional" or "repeated" (proto2 fields need a label)',
  },
  {
    name: 'proto3 required',
    text: 'syntax = "proto3";\nmessage A { required int32 a = 1; }\n',
    error: 'main.proto:2:13: required fields are not allowed in proto3',
  },
  {
    name: 'proto3 default',
    text: 'syntax = "proto3";\nmessage A { int32 a = 1 [default = 5]; }\n',
    error: 'main.proto:2:26: explicit default values are not allowed in proto3',
  },
  {
    name: 'proto3 group',
    text: 'syntax = "proto3";\nmessage A { group G = 1 {} }\n',
    error: 'main.proto:2:13: groups are not supported in proto3; use a nested message',
  },
  {
    name: 'group lowercase',
    text: 'syntax = "proto2";\nmessage A { optional group g = 1 {} }\n',
    error: 'main.proto:2:28: group names must start with a capital letter ("g")',
  },
  {
    name: 'label in oneof',
    text: 'syntax = "proto3";\nmessage A { oneof o { optional int32 a = 1; } }\n',
    error: 'main.proto:2:23: fields in oneofs must not have labels (required / optional / repeated)',
  },
  {
    name: 'map in oneof',
    text: 'syntax = "proto3";\nmessage A { oneof o { map<string, string> m = 1; } }\n',
    error: 'main.proto:2:23: map fields are not allowed in oneofs',
  },
  {
    name: 'repeated map',
    text: 'syntax = "proto3";\nmessage A { repeated map<string, string> m = 1; }\n',
    error: 'main.proto:2:13: map fields cannot have labels (required / optional / repeated)',
  },
  {
    name: 'float map key',
    text: 'syntax = "proto3";\nmessage A { map<float, string> m = 1; }\n',
    error: 'main.proto:2:17: map key type cannot be float (use an integer type, bool or string)',
  },
  {
    name: 'enum map key',
    text: 'syntax = "proto3";\nenum E { Z = 0; }\nmessage A { map<E, string> m = 1; }\n',
    error: 'main.proto:3:17: map key type cannot be an enum (use an integer type, bool or string)',
  },
  {
    name: 'message map key',
    text: 'syntax = "proto3";\nmessage A { map<A, string> m = 1; }\n',
    error: 'main.proto:2:17: map key type cannot be a message (use an integer type, bool or string)',
  },
  {
    name: 'unclosed message',
    text: 'syntax = "proto3";\nmessage A { int32 a = 1;\n',
    error: 'main.proto:3:1: expected field, message, enum, oneof, option, reserved, extensions or extend in message "A", found end of file',
  },
  {
    name: 'field number zero',
    text: 'syntax = "proto3";\nmessage A { int32 a = 0; }\n',
    error: 'main.proto:2:23: field numbers must be positive integers ("a" = 0)',
  },
  {
    name: 'field number too big',
    text: 'syntax = "proto3";\nmessage A { int32 a = 536870912; }\n',
    error: 'main.proto:2:23: field numbers cannot be greater than 536870911 ("a" = 536870912)',
  },
  {
    name: 'field number reserved range',
    text: 'syntax = "proto3";\nmessage A { int32 a = 19500; }\n',
    error: 'main.proto:2:23: field numbers 19000 through 19999 are reserved for the protocol buffer library implementation ("a" = 19500)',
  },
  {
    name: 'duplicate field number',
    text: 'syntax = "proto3";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}\n',
    error: 'main.proto:4:13: field number 1 has already been used in "A" by field "a"',
  },
  {
    name: 'duplicate field name',
    text: 'syntax = "proto3";\nmessage A {\n  int32 a = 1;\n  string a = 2;\n}\n',
    error: 'main.proto:4:10: "a" is already defined in "A"',
  },
  {
    name: 'reserved number used',
    text: 'syntax = "proto3";\nmessage A {\n  reserved 2 to 5;\n  int32 a = 3;\n}\n',
    error: 'main.proto:4:13: field "a" uses reserved number 3 (reserved 2 to 5)',
  },
  {
    name: 'reserved name used',
    text: 'syntax = "proto3";\nmessage A {\n  reserved "a";\n  int32 a = 1;\n}\n',
    error: 'main.proto:4:9: field name "a" is reserved',
  },
  {
    name: 'reserved ranges overlap',
    text: 'syntax = "proto3";\nmessage A { reserved 1 to 10; reserved 5; }\n',
    error: 'main.proto:2:40: reserved range 5 overlaps with already-defined range 1 to 10',
  },
  {
    name: 'reserved bare name in proto3',
    text: 'syntax = "proto3";\nmessage A { reserved foo; }\n',
    error: 'main.proto:2:22: reserved names must be quoted strings in proto3 ("foo")',
  },
  {
    name: 'json camel conflict',
    text: 'syntax = "proto3";\nmessage A {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}\n',
    error: 'main.proto:4:9: the JSON camel-case name of field "fooBar" conflicts with field "foo_bar"; this is not allowed in proto3',
  },
  {
    name: 'empty oneof',
    text: 'syntax = "proto3";\nmessage A { oneof o { } }\n',
    error: 'main.proto:2:19: oneof "o" must have at least one field',
  },
  {
    name: 'default on repeated',
    text: 'syntax = "proto2";\nmessage A { repeated int32 a = 1 [default = 1]; }\n',
    error: 'main.proto:2:35: repeated fields cannot have default values',
  },
  {
    name: 'default out of range',
    text: 'syntax = "proto2";\nmessage A { optional int32 a = 1 [default = 2147483648]; }\n',
    error: 'main.proto:2:45: default value is out of range for int32',
  },
  {
    name: 'negative unsigned default',
    text: 'syntax = "proto2";\nmessage A { optional uint32 a = 1 [default = -1]; }\n',
    error: 'main.proto:2:46: unsigned field "uint32" cannot have a negative default value',
  },
  {
    name: 'bad bool default',
    text: 'syntax = "proto2";\nmessage A { optional bool a = 1 [default = 1]; }\n',
    error: 'main.proto:2:44: expected "true" or "false" for default of bool field, found "1"',
  },
  {
    name: 'unknown enum default',
    text: 'syntax = "proto2";\nenum E { X = 1; }\nmessage A { optional E e = 1 [default = Y]; }\n',
    error: 'main.proto:3:41: enum type "E" has no value named "Y"',
  },
  {
    name: 'message default',
    text: 'syntax = "proto2";\nmessage A { optional A a = 1 [default = X]; }\n',
    error: 'main.proto:2:41: messages cannot have default values',
  },
  {
    name: 'packed on string',
    text: 'syntax = "proto2";\nmessage A { repeated string s = 1 [packed = true]; }\n',
    error: 'main.proto:2:36: [packed = true] can only be specified for repeated primitive fields',
  },
  {
    name: 'json_name on extension',
    text: 'syntax = "proto2";\nmessage A { extensions 10 to 20; }\nextend A { optional int32 x = 10 [json_name = "y"]; }\n',
    error: 'main.proto:3:35: option "json_name" is not allowed on extension fields',
  },
  {
    name: 'unknown type with suggestion',
    text: 'syntax = "proto3";\npackage search;\nmessage Tag {}\nmessage Q {\n  Tga tag = 1;\n}\n',
    files: {  },
    mainName: 'search/common.proto',
    error: 'search/common.proto:5:3: unknown type "Tga"; did you mean "Tag"?',
  },
  {
    name: 'unknown type',
    text: 'syntax = "proto3";\nmessage A { Nope n = 1; }\n',
    error: 'main.proto:2:13: unknown type "Nope"',
  },
  {
    name: 'innermost scope shadows',
    text: 'syntax = "proto2";\nmessage Bar { message Baz {} }\nmessage Foo {\n  message Bar {}\n  optional Bar.Baz baz = 1;\n}\n',
    error: 'main.proto:5:12: "Bar.Baz" is resolved to "Foo.Bar.Baz", which is not defined; the innermost scope is searched first, so use a leading dot (".Bar.Baz") to start from the outermost scope',
  },
  {
    name: 'field is not a type',
    text: 'syntax = "proto3";\nmessage A { int32 x = 1; A.x y = 2; }\n',
    error: 'main.proto:2:26: "A.x" is not a type (it names a field)',
  },
  {
    name: 'rpc input not a message',
    text: 'syntax = "proto3";\nenum E { Z = 0; }\nmessage M {}\nservice S { rpc Call (E) returns (M); }\n',
    error: 'main.proto:4:23: "E" is not a message type',
  },
  {
    name: 'not imported',
    text: 'syntax = "proto3";\nimport "b.proto";\nmessage A { C c = 1; }\n',
    files: { 'b.proto': 'syntax = "proto3";\nimport "c.proto";\n', 'c.proto': 'syntax = "proto3";\nmessage C {}\n' },
    error: 'main.proto:3:13: "C" seems to be defined in "c.proto", which is not imported by "main.proto"; add the import to use it here',
  },
  {
    name: 'duplicate message',
    text: 'syntax = "proto3";\nmessage A {}\nmessage A {}\n',
    error: 'main.proto:3:9: "A" is already defined in the file',
  },
  {
    name: 'duplicate across files',
    text: 'syntax = "proto3";\npackage p;\nimport "b.proto";\nmessage A {}\n',
    files: { 'b.proto': 'syntax = "proto3";\npackage p;\nmessage A {}\n' },
    error: 'main.proto:4:9: "p.A" is already defined in file "b.proto"',
  },
  {
    name: 'enum value sibling clash',
    text: 'syntax = "proto3";\nenum E { NONE = 0; }\nenum F { NONE = 0; }\n',
    error: 'main.proto:3:10: "NONE" is already defined in the top-level scope; enum values are siblings of their enum type (C++ scoping), so "NONE" must be unique within the top-level scope, not just within its enum',
  },
  {
    name: 'package clash',
    text: 'syntax = "proto3";\npackage a.b;\nimport "x.proto";\n',
    files: { 'x.proto': 'syntax = "proto3";\npackage a;\nmessage b {}\n' },
    error: 'main.proto:2:9: "a.b" is already defined (as something other than a package) in file "x.proto"',
  },
  {
    name: 'enum first value nonzero',
    text: 'syntax = "proto3";\nenum E { ONE = 1; }\n',
    error: 'main.proto:2:16: the first enum value must be zero in proto3',
  },
  {
    name: 'enum alias without allow_alias',
    text: 'syntax = "proto2";\nenum E {\n  A = 1;\n  B = 1;\n}\n',
    error: 'main.proto:4:7: "B" uses the same enum value (1) as "A"; if this is intended, set "option allow_alias = true;" on enum "E"',
  },
  {
    name: 'allow_alias without alias',
    text: 'syntax = "proto2";\nenum E {\n  option allow_alias = true;\n  A = 1;\n  B = 2;\n}\n',
    error: 'main.proto:3:10: enum "E" sets allow_alias but no two values share a number; remove the option or add an alias',
  },
  {
    name: 'enum empty',
    text: 'syntax = "proto2";\nenum E { }\n',
    error: 'main.proto:2:6: enum "E" must contain at least one value',
  },
  {
    name: 'enum value reserved',
    text: 'syntax = "proto3";\nenum E { Z = 0; reserved 5; V = 5; }\n',
    error: 'main.proto:2:33: enum value "V" uses reserved number 5 (reserved 5)',
  },
  {
    name: 'enum value out of range',
    text: 'syntax = "proto2";\nenum E { A = 2147483648; }\n',
    error: 'main.proto:2:14: enum value A is out of the int32 range',
  },
  {
    name: 'proto2 enum in proto3',
    text: 'syntax = "proto3";\nimport "p2.proto";\nmessage A { Closed c = 1; }\n',
    files: { 'p2.proto': 'syntax = "proto2";\nenum Closed { X = 1; }\n' },
    error: 'main.proto:3:13: enum type "Closed" is not an open enum, but is used in "A" which is a proto3 message type',
  },
  {
    name: 'map value enum without zero first (proto2 too)',
    text: 'syntax = "proto2";\nenum E { ONE = 1; TWO = 2; }\nmessage A {\n  map<string, E> m = 1;\n}\n',
    error: 'main.proto:4:3: enum value in map must define 0 as the first value',
  },
  {
    name: 'map value enum without zero first, from proto2 in proto3',
    text: 'syntax = "proto3";\nimport "p2.proto";\nmessage A {\n  map<int32, Closed> m = 1;\n}\n',
    files: { 'p2.proto': 'syntax = "proto2";\nenum Closed { X = 1; }\n' },
    error: 'main.proto:4:3: enum value in map must define 0 as the first value',
  },
  {
    name: 'enum prefix clash',
    text: 'syntax = "proto3";\nenum Color { COLOR_RED = 0; RED = 1; }\n',
    error: 'main.proto:2:29: enum value "RED" has the same name as "COLOR_RED" if you ignore case and strip out the enum name prefix; this is error-prone, rename one of them (or give both the same number as aliases)',
  },
  {
    name: 'extension outside ranges',
    text: 'syntax = "proto2";\nmessage A { extensions 100 to 199; }\nextend A { optional int32 x = 200; }\n',
    error: 'main.proto:3:31: "A" does not declare 200 as an extension number',
  },
  {
    name: 'extension number reused',
    text: 'syntax = "proto2";\nmessage A { extensions 100 to 199; }\nextend A {\n  optional int32 x = 100;\n  optional int32 y = 100;\n}\n',
    error: 'main.proto:5:22: extension number 100 has already been used in "A" by extension "x"',
  },
  {
    name: 'extension range overlaps field',
    text: 'syntax = "proto2";\nmessage A {\n  optional int32 a = 5;\n  extensions 1 to 10;\n}\n',
    error: 'main.proto:3:22: extension range 1 to 10 includes field "a" (5)',
  },
  {
    name: 'proto3 extension ranges',
    text: 'syntax = "proto3";\nmessage A { extensions 100 to 200; }\n',
    error: 'main.proto:2:24: extension ranges are not allowed in proto3',
  },
  {
    name: 'proto3 extend non-option',
    text: 'syntax = "proto3";\nimport "a.proto";\nextend A { int32 x = 100; }\n',
    files: { 'a.proto': 'syntax = "proto2";\nmessage A { extensions 100 to 200; }\n' },
    error: 'main.proto:3:8: extensions in proto3 are only allowed for defining options (extending google.protobuf.*Options)',
  },
  {
    name: 'extend a scalar name',
    text: 'syntax = "proto2";\nenum E { X = 1; }\nextend E { optional int32 x = 1; }\n',
    error: 'main.proto:3:8: "E" is not a message type',
  },
  {
    name: 'required extension',
    text: 'syntax = "proto2";\nmessage A { extensions 1 to 10; }\nextend A { required int32 x = 1; }\n',
    error: 'main.proto:3:12: extension "x" cannot be required',
  },
  {
    name: 'unknown file option',
    text: 'syntax = "proto3";\noption java_pakage = "x";\n',
    error: 'main.proto:2:8: unknown option "java_pakage" in FileOptions; did you mean "java_package"?',
  },
  {
    name: 'unknown field option',
    text: 'syntax = "proto3";\nmessage A { int32 a = 1 [deprected = true]; }\n',
    error: 'main.proto:2:26: unknown option "deprected" in FieldOptions; did you mean "deprecated"?',
  },
  {
    name: 'bad option value type',
    text: 'syntax = "proto3";\noption java_multiple_files = "yes";\n',
    error: 'main.proto:2:30: invalid value for option "java_multiple_files": expected true or false',
  },
  {
    name: 'bad enum option value',
    text: 'syntax = "proto3";\noption optimize_for = FAST;\n',
    error: 'main.proto:2:23: invalid value for option "optimize_for": unknown enum value "FAST"',
  },
  {
    name: 'unknown custom option',
    text: 'syntax = "proto3";\nmessage A { option (my.opt) = 1; }\n',
    error: 'main.proto:2:20: option "(my.opt)" unknown: unknown name "my.opt"; make sure the file defining the extension is imported',
  },
  {
    name: 'custom option wrong target',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nextend google.protobuf.FieldOptions { optional int32 f = 50000; }\nmessage A { option (f) = 1; }\n',
    error: 'main.proto:4:20: option "(f)" extends "google.protobuf.FieldOptions", not "google.protobuf.MessageOptions"',
  },
  {
    name: 'custom option sub-field missing',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional string name = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r).nmae = "x"; }\n',
    error: 'main.proto:5:24: option "(r).nmae": message "R" has no field "nmae"; did you mean "name"?',
  },
  {
    name: 'option set twice',
    text: 'syntax = "proto3";\noption go_package = "a";\noption go_package = "b";\n',
    error: 'main.proto:3:8: option "go_package" was already set',
  },
  {
    name: 'minus before identifier in option',
    text: 'syntax = "proto3";\noption java_package = -foo;\n',
    error: 'main.proto:2:24: invalid "-" before identifier "foo"',
  },
  {
    name: 'aggregate missing colon',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional string name = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { name "x" }; }\n',
    error: 'main.proto:5:33: expected ":" after "name", found string',
  },
  {
    name: 'rpc missing returns',
    text: 'syntax = "proto3";\nmessage M {}\nservice S { rpc Call (M) (M); }\n',
    error: 'main.proto:3:26: expected "returns" after the input of method "Call", found "("',
  },
  {
    name: 'stream on non-message',
    text: 'syntax = "proto3";\nmessage M {}\nservice S { rpc Call (stream Nope) returns (M); }\n',
    error: 'main.proto:3:30: unknown name "Nope"',
  },
  {
    name: 'duplicate method',
    text: 'syntax = "proto3";\nmessage M {}\nservice S {\n  rpc Call (M) returns (M);\n  rpc Call (M) returns (M);\n}\n',
    error: 'main.proto:5:7: "Call" is already defined in "S"',
  },
  {
    name: 'missing import',
    text: 'syntax = "proto3";\nimport "nope/missing.proto";\n',
    error: 'main.proto:2:8: import "nope/missing.proto" was not found (searched: the given files, the built-in google/protobuf files)',
  },
  {
    name: 'import typo of builtin',
    text: 'syntax = "proto3";\nimport "google/protobuf/timestmp.proto";\n',
    error: 'main.proto:2:8: import "google/protobuf/timestmp.proto" was not found (searched: the given files, the built-in google/protobuf files); did you mean "google/protobuf/timestamp.proto"?',
  },
  {
    name: 'import cycle',
    text: 'syntax = "proto3";\nimport "b.proto";\n',
    files: { 'b.proto': 'syntax = "proto3";\nimport "main.proto";\n' },
    error: 'b.proto:2:8: import cycle: main.proto -> b.proto -> main.proto',
  },
  {
    name: 'import listed twice',
    text: 'syntax = "proto3";\nimport "b.proto";\nimport "b.proto";\n',
    files: { 'b.proto': 'syntax = "proto3";\n' },
    error: 'main.proto:3:8: import "b.proto" was listed twice',
  },
  {
    name: 'error inside import',
    text: 'syntax = "proto3";\nimport "b.proto";\n',
    files: { 'b.proto': 'syntax = "proto3";\nmessage B { int32 x = ; }\n' },
    error: 'b.proto:2:23: expected field number for "x", found ";"',
  },
  {
    name: 'editions optional label',
    text: 'edition = "2023";\nmessage A { optional int32 a = 1; }\n',
    error: 'main.proto:2:13: label "optional" is not allowed in editions; use "features.field_presence" instead',
  },
  {
    name: 'editions unknown feature',
    text: 'edition = "2023";\noption features.field_presense = IMPLICIT;\n',
    error: 'main.proto:2:17: unknown feature "field_presense"; did you mean "field_presence"?',
  },
  {
    name: 'editions bad feature value',
    text: 'edition = "2023";\noption features.field_presence = MAYBE;\n',
    error: 'main.proto:2:34: feature "field_presence" must be one of EXPLICIT, IMPLICIT, LEGACY_REQUIRED',
  },
  {
    name: 'features in proto3',
    text: 'syntax = "proto3";\noption features.field_presence = IMPLICIT;\n',
    error: 'main.proto:2:8: option "features.field_presence" is only allowed in editions files (edition = "2023")',
  },
  {
    name: 'editions group',
    text: 'edition = "2023";\nmessage A { group G = 1 {} }\n',
    error: 'main.proto:2:13: groups are not supported in editions; use "features.message_encoding = DELIMITED"',
  },
  {
    name: 'editions quoted reserved',
    text: 'edition = "2023";\nmessage A { reserved "foo"; }\n',
    error: 'main.proto:2:22: reserved names must be identifiers, not strings, in editions',
  },
  {
    name: 'aggregate unknown field',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional string name = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { nmae: "x" }; }\n',
    error: 'main.proto:5:26: invalid value for option "(r)": message "R" has no field "nmae"; did you mean "name"?',
  },
  {
    name: 'aggregate wrong value type',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional int32 n = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { n: "seven" }; }\n',
    error: 'main.proto:5:26: invalid value for option "(r)": field "n" of "R": expected an integer',
  },
  {
    name: 'aggregate unknown extension',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional int32 n = 1; extensions 10 to 20; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { [x.y]: 1 }; }\n',
    error: 'main.proto:5:26: invalid value for option "(r)": unknown extension "x.y"',
  },
  {
    name: 'aggregate repeated twice on singular',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional int32 n = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { n: 1 n: 2 }; }\n',
    error: 'main.proto:5:26: invalid value for option "(r)": field "n" of "R" is not repeated but is given 2 values',
  },
  {
    name: 'unterminated aggregate',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nmessage R { optional int32 n = 1; }\nextend google.protobuf.MessageOptions { optional R r = 50000; }\nmessage A { option (r) = { n: 1 ;\n',
    error: 'main.proto:6:1: expected field name or "}" in aggregate value, found end of file',
  },
  {
    name: 'custom option not an extension',
    text: 'syntax = "proto3";\nmessage M { int32 x = 1; }\noption (M) = 1;\n',
    error: 'main.proto:3:8: option "(M)" is not an extension (it names a message)',
  },
  {
    name: 'integer option given float',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nextend google.protobuf.FileOptions { optional int32 level = 50000; }\noption (level) = 1.5;\n',
    error: 'main.proto:4:18: invalid value for option "(level)": expected an integer',
  },
  {
    name: 'unsigned option negative',
    text: 'syntax = "proto2";\nimport "google/protobuf/descriptor.proto";\nextend google.protobuf.FileOptions { optional uint32 level = 50000; }\noption (level) = -1;\n',
    error: 'main.proto:4:18: invalid value for option "(level)": expected a non-negative integer',
  },
];

describe('malformed .proto inputs', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.skipIf(!protocReady)('protoc rejects every case too (except editions, which protoc 3.21 cannot read)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'idlcall-malformed-'));
    try {
      const accepted: string[] = [];
      cases.forEach((c, i) => {
        if (c.name.includes('editions')) return;
        const dir = path.join(root, String(i));
        const main = c.mainName ?? 'main.proto';
        for (const [name, text] of Object.entries({ ...c.files, [main]: c.text })) {
          mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
          writeFileSync(path.join(dir, name), text);
        }
        const r = spawnSync('protoc', [`-I${dir}`, `-I${PROTO_INCLUDE}`, `--descriptor_set_out=${path.join(dir, 'out.pb')}`, main], { cwd: dir });
        if (r.status === 0) accepted.push(c.name);
      });
      expect(accepted).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  for (const c of cases) {
    it(c.name, () => {
      let caught: unknown;
      try {
        parseProtoContent(c.text, { files: c.files ?? {}, mainName: c.mainName ?? 'main.proto' });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(IdlError);
      const err = caught as IdlError;
      expect(err.message).toBe(c.error);
      const [, file, line, column, reason] = /^(.*?):(\d+):(\d+): (.*)$/s.exec(c.error)!;
      expect({ file: err.file, line: err.line, column: err.column, reason: err.reason }).toEqual({
        file,
        line: Number(line),
        column: Number(column),
        reason,
      });
    });
  }
});
