/**
 * Malformed IDL, one problem each, with the exact error expected. `files`
 * holds other files for includes; errors in them are reported there.
 */
export interface MalformedCase {
  readonly name: string;
  readonly src: string;
  readonly files?: Record<string, string>;
  /** The file the error is reported in (default `bad.thrift`). */
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export const malformed: MalformedCase[] = [
  // Lexical errors.
  { name: 'unexpected character', src: 'struct A {\n  1: i32 a @\n}', line: 2, column: 12, message: 'unexpected character \'@\'' },
  { name: 'unterminated string', src: 'const string S = "abc', line: 1, column: 18, message: 'unterminated string literal' },
  { name: 'string broken by a newline', src: "const string S = 'abc\ndef'", line: 1, column: 18, message: 'unterminated string literal (end of line)' },
  { name: 'bad escape in a string', src: 'const string S = "a\\qb"', line: 1, column: 20, message: 'bad escape character \'\\q\' in string literal' },
  { name: 'unterminated block comment', src: 'struct A {}\n/* never\nclosed', line: 2, column: 1, message: 'unterminated comment' },
  { name: 'integer beyond 64 bits', src: 'const i64 X = 9223372036854775808', line: 1, column: 15, message: 'integer 9223372036854775808 does not fit in 64 bits' },
  { name: 'position after a multi-line comment', src: '/* one\n * two\n */ struct A {\n\t1: i32 a ?\n}', line: 4, column: 11, message: "unexpected character '?'" },
  // Syntax errors.
  { name: 'struct without a name', src: 'struct {\n}', line: 1, column: 8, message: 'expected the struct name, found \'{\'' },
  { name: 'struct without braces', src: 'struct A 1: i32 a }', line: 1, column: 10, message: 'expected \'{\', found \'1\'' },
  { name: 'struct cut off at end of file', src: 'struct A {\n  1: i32 a', line: 2, column: 11, message: 'expected a field type or \'}\', found end of file' },
  { name: 'field id without colon', src: 'struct A { 1 i32 a }', line: 1, column: 14, message: 'expected \':\' after the field id, found \'i32\'' },
  { name: 'field without a name', src: 'struct A { 1: i32 }', line: 1, column: 19, message: 'expected the field name, found \'}\'' },
  { name: 'field without a type', src: 'struct A { 1: required }', line: 1, column: 24, message: 'expected a field type or \'}\', found \'}\'' },
  { name: 'misspelled keyword', src: 'strcut A {}', line: 1, column: 1, message: 'expected a definition (struct, union, exception, enum, typedef, const or service), found \'strcut\'' },
  { name: 'include after a definition', src: 'struct A {}\ninclude "b.thrift"', line: 2, column: 1, message: '\'include\' must come before the first definition' },
  { name: 'namespace after a definition', src: 'struct A {}\nnamespace go a', line: 2, column: 1, message: '\'namespace\' must come before the first definition' },
  { name: 'senum', src: 'senum Kinds { "a", "b" }', line: 1, column: 1, message: '\'senum\' is no longer supported; use \'string\' instead' },
  { name: 'slist', src: 'struct A { 1: slist s }', line: 1, column: 15, message: '\'slist\' is no longer supported; use \'string\' instead' },
  { name: 'cpp_namespace', src: 'cpp_namespace foo', line: 1, column: 1, message: '\'cpp_namespace\' is no longer supported; use \'namespace cpp …\' instead' },
  { name: 'void field', src: 'struct A { 1: void a }', line: 1, column: 15, message: '\'void\' is only allowed as a function return type' },
  { name: 'map without a comma', src: 'struct A { 1: map<string i32> m }', line: 1, column: 26, message: 'expected \',\' between the map key and value types, found \'i32\'' },
  { name: 'list without a closing >', src: 'struct A { 1: list<i32 m }', line: 1, column: 24, message: 'expected \'>\', found \'m\'' },
  { name: 'enum value not an integer', src: 'enum E { A = "x" }', line: 1, column: 14, message: 'expected an integer enum value, found string "x"' },
  { name: 'enum value beyond i32', src: 'enum E {\n  A = 2147483648\n}', line: 2, column: 7, message: 'enum value 2147483648 of E.A is outside the 32-bit range' },
  { name: 'field id beyond i16', src: 'struct A { 40000: i32 a }', line: 1, column: 12, message: 'field id 40000 is out of range (1..32767)' },
  { name: 'annotation value not a string', src: 'struct A { 1: i32 a (k = 1) }', line: 1, column: 26, message: 'expected an annotation value (a string literal), found \'1\'' },
  { name: 'const without =', src: 'const i32 X 1', line: 1, column: 13, message: 'expected \'=\', found \'1\'' },
  { name: 'map literal without colon', src: 'const map<i32, i32> M = {1 2}', line: 1, column: 28, message: 'expected \':\' after the map key, found \'2\'' },
  { name: 'const type void', src: 'const void X = 1', line: 1, column: 7, message: '\'void\' is only allowed as a function return type' },
  { name: 'annotations on a named type', src: 'struct B {}\nstruct A { 1: B (x = "y") b }', line: 2, column: 17, message: 'expected the field name, found \'(\'' },
  { name: 'xsd_all on a struct', src: 'struct A xsd_all { 1: i32 a }', line: 1, column: 10, message: "'xsd_all' is no longer supported" },
  { name: 'xsd_optional on a field', src: 'struct A {\n  1: i32 a xsd_optional\n}', line: 2, column: 12, message: "'xsd_optional' is no longer supported" },
  // Resolution errors.
  { name: 'unknown type', src: 'struct A {\n  1: Missing m\n}', line: 2, column: 6, message: 'unknown type Missing' },
  { name: 'misspelled type', src: 'struct Request {}\nservice S {\n  void f(1: Reqest r)\n}', line: 3, column: 13, message: 'unknown type Reqest (did you mean Request?)' },
  { name: 'misspelled included type', src: 'include "base.thrift"\nstruct A { 1: base.Stauts s }', files: { 'base.thrift': 'enum Status { OK }' }, line: 2, column: 15, message: 'unknown type base.Stauts (did you mean base.Status?)' },
  { name: 'misspelled constant', src: 'const i32 LIMIT = 1\nconst i32 X = LIMT', line: 2, column: 15, message: 'unknown constant LIMT (did you mean LIMIT?)' },
  { name: 'qualified type without such include', src: 'struct A { 1: other.Thing t }', line: 1, column: 15, message: 'unknown type other.Thing: no include named other' },
  { name: 'unknown type in an include', src: 'include "base.thrift"\nstruct A { 1: base.Missing m }', files: { 'base.thrift': 'struct Thing {}' }, line: 2, column: 15, message: 'unknown type base.Missing' },
  { name: 'service used as a type', src: 'service S {}\nstruct A { 1: S s }', line: 2, column: 15, message: 'S is a service, not a type' },
  { name: 'duplicate field id', src: 'struct A {\n  1: i32 a\n  1: i32 b\n}', line: 3, column: 3, message: 'duplicate field id 1 in struct A: b and a' },
  { name: 'duplicate field name', src: 'struct A {\n  1: i32 a\n  2: string a\n}', line: 3, column: 13, message: 'duplicate field name a in struct A' },
  { name: 'duplicate argument id', src: 'service S {\n  void f(1: i32 a, 1: i32 b)\n}', line: 2, column: 20, message: 'duplicate field id 1 in the arguments of S.f: b and a' },
  { name: 'duplicate type name', src: 'struct A {}\nenum A { X }', line: 2, column: 1, message: 'A is already defined at line 1' },
  { name: 'service named like a struct', src: 'struct A {}\nservice A {}', line: 2, column: 1, message: 'A is already defined at line 1' },
  { name: 'duplicate constant', src: 'const i32 K = 1\nconst i32 K = 2', line: 2, column: 1, message: 'constant K is already defined at line 1' },
  { name: 'duplicate enum value', src: 'enum E {\n  A,\n  A\n}', line: 3, column: 3, message: 'enum value E.A is already defined' },
  { name: 'typedef cycle', src: 'typedef B A\ntypedef A B', line: 1, column: 1, message: 'typedef A refers to itself' },
  { name: 'string for an i32 constant', src: 'const i32 X = "a"', line: 1, column: 15, message: 'constant X must be an i32, found a string' },
  { name: 'integer for a string constant', src: 'const string S = 1', line: 1, column: 18, message: 'constant S must be a string, found the integer 1' },
  { name: 'double for an i32 constant', src: 'const i32 X = 1.5', line: 1, column: 15, message: 'constant X must be an i32, found the double 1.5' },
  { name: 'byte constant out of range', src: 'const byte B = 300', line: 1, column: 16, message: 'constant B: 300 is out of range for byte' },
  { name: 'i32 default out of range', src: 'struct A { 1: i32 a = 4294967296 }', line: 1, column: 23, message: 'default value of A.a: 4294967296 is out of range for i32' },
  { name: 'integer not in the enum', src: 'enum E { A = 1 }\nconst E X = 5', line: 2, column: 13, message: 'constant X: enum E has no value 5' },
  { name: 'value of another enum', src: 'enum E { A }\nenum F { B }\nconst E X = F.B', line: 3, column: 13, message: 'constant X: F.B is not a value of enum E' },
  { name: 'missing enum value', src: 'enum E { A }\nconst E X = E.B', line: 2, column: 13, message: 'enum E has no value B' },
  { name: 'unqualified enum value', src: 'enum E { A }\nconst E X = A', line: 2, column: 13, message: 'enum value A must be qualified: E.A' },
  { name: 'unknown constant', src: 'const i32 X = Y', line: 1, column: 15, message: 'unknown constant Y' },
  { name: 'constant cycle', src: 'const i32 A = B\nconst i32 B = A', line: 1, column: 1, message: 'constant A refers to itself' },
  { name: 'unknown field in a struct literal', src: 'struct P { 1: i32 x }\nconst P p = {"x": 1, "z": 2}', line: 2, column: 22, message: 'constant p: P has no field named "z"' },
  { name: 'non-string key in a struct literal', src: 'struct P { 1: i32 x }\nconst P p = {1: 1}', line: 2, column: 14, message: 'constant p: struct literal keys must be field names in quotes, found the integer 1' },
  { name: 'list literal for a map', src: 'const map<i32, i32> M = [1, 2]', line: 1, column: 25, message: 'constant M must be a map, found a list' },
  { name: 'map literal for a list', src: 'const list<i32> L = {1: 2}', line: 1, column: 21, message: 'constant L must be a list, found a map' },
  { name: 'wrong element type in a list', src: 'const list<i32> L = [1, "two"]', line: 1, column: 25, message: 'element of constant L must be an i32, found a string' },
  { name: 'wrong default type', src: 'struct A {\n  1: string s = 5\n}', line: 2, column: 17, message: 'default value of A.s must be a string, found the integer 5' },
  { name: 'wrong argument default type', src: 'service S {\n  void f(1: i32 n = "x")\n}', line: 2, column: 21, message: 'default value of S.f.n must be an i32, found a string' },
  { name: 'integer for a uuid', src: 'const uuid U = 1', line: 1, column: 16, message: 'constant U must be a uuid, found the integer 1' },
  // Services.
  { name: 'extends an unknown service', src: 'service S extends Missing {}', line: 1, column: 19, message: 'service S extends unknown service Missing' },
  { name: 'extends an unknown included service', src: 'include "base.thrift"\nservice S extends base.Missing {}', files: { 'base.thrift': 'service Other {}' }, line: 2, column: 19, message: 'service S extends unknown service base.Missing' },
  { name: 'extends a struct', src: 'struct T {}\nservice S extends T {}', line: 2, column: 19, message: 'service S extends T, which is not a service' },
  { name: 'extends itself', src: 'service S extends S {}', line: 1, column: 19, message: 'service S extends itself' },
  { name: 'extends cycle', src: 'service A extends B {}\nservice B extends A {}', line: 1, column: 19, message: 'extends cycle: A -> B -> A' },
  { name: 'duplicate function', src: 'service S {\n  void f()\n  i32 f()\n}', line: 3, column: 3, message: 'function f is already defined in service S at line 2' },
  { name: 'redefines an inherited function', src: 'service P { void f() }\nservice S extends P {\n  void f()\n}', line: 3, column: 3, message: 'function f of service S is already defined in the extended service P' },
  { name: 'throws a struct', src: 'struct NotError {}\nservice S {\n  void f() throws (1: NotError e)\n}', line: 3, column: 20, message: 'throws clause of S.f: e is not an exception type' },
  { name: 'oneway with throws', src: 'exception E {}\nservice S {\n  oneway void f() throws (1: E e)\n}', line: 3, column: 3, message: 'oneway function S.f cannot throw exceptions' },
  { name: 'unknown streaming.mode', src: 'struct R {}\nservice S {\n  R f(1: R r) (streaming.mode = "duplex")\n}', line: 3, column: 16, message: 'unknown streaming.mode "duplex" on function S.f (expected bidirectional, client, server or unary)' },
  { name: 'unknown return type', src: 'service S {\n  Missing f()\n}', line: 2, column: 3, message: 'unknown type Missing' },
  // Includes.
  { name: 'missing include', src: 'namespace go x\ninclude "nope.thrift"', line: 2, column: 1, message: 'cannot find included file "nope.thrift" (looked in: nope.thrift)' },
  { name: 'include cycle', src: 'include "a.thrift"', files: { 'a.thrift': 'include "b.thrift"', 'b.thrift': '\ninclude "a.thrift"' }, file: 'b.thrift', line: 2, column: 1, message: 'include cycle: a.thrift -> b.thrift -> a.thrift' },
  { name: 'file includes itself', src: 'include "bad.thrift"', line: 1, column: 1, message: 'include cycle: bad.thrift -> bad.thrift' },
  { name: 'two includes with one include name', src: 'include "a/base.thrift"\ninclude "b/base.thrift"', files: { 'a/base.thrift': '', 'b/base.thrift': '' }, line: 2, column: 1, message: '"b/base.thrift" and "a/base.thrift" are both included as base; rename one of them' },
  { name: 'syntax error in an included file', src: 'include "sub/inc.thrift"', files: { 'sub/inc.thrift': 'struct X {\n  1: i32\n}' }, file: 'sub/inc.thrift', line: 3, column: 1, message: 'expected the field name, found \'}\'' },
];
