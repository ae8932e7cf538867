import { TType } from './types.js';

/** TCompactProtocol type ids for each binary `TType` (bool as BOOLEAN_TRUE, as in collections). */
export const TO_COMPACT: Uint8Array = (() => {
  const t = new Uint8Array(17);
  t[TType.BOOL] = 1;
  t[TType.BYTE] = 3;
  t[TType.I16] = 4;
  t[TType.I32] = 5;
  t[TType.I64] = 6;
  t[TType.DOUBLE] = 7;
  t[TType.STRING] = 8;
  t[TType.LIST] = 9;
  t[TType.SET] = 10;
  t[TType.MAP] = 11;
  t[TType.STRUCT] = 12;
  t[TType.UUID] = 13;
  return t;
})();

/** Binary `TType` for each compact type id; 255 = invalid. Both BOOLEAN_TRUE and BOOLEAN_FALSE map to BOOL. */
export const FROM_COMPACT: Uint8Array = (() => {
  const t = new Uint8Array(16).fill(255);
  t[1] = TType.BOOL;
  t[2] = TType.BOOL;
  t[3] = TType.BYTE;
  t[4] = TType.I16;
  t[5] = TType.I32;
  t[6] = TType.I64;
  t[7] = TType.DOUBLE;
  t[8] = TType.STRING;
  t[9] = TType.LIST;
  t[10] = TType.SET;
  t[11] = TType.MAP;
  t[12] = TType.STRUCT;
  t[13] = TType.UUID;
  return t;
})();
