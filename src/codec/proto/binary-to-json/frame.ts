/* Per-depth state of the binary → JSON slot mode and map key checks. */

/** A map field's entries while a message is decoded: key JSON → value JSON (last one wins). */
export type MapSlot = Map<string, string>;

/** Reusable per-depth state of the slot mode. */
export interface SlotFrame {
  slots: Array<string | MapSlot | undefined>;
  mark: Uint32Array;
  touched: number[];
  /**
   * Keys of the open map field (fast path), as the place of their JSON text in
   * the output per entry: the first 16 are compared directly; from then on
   * they are hashed and an open-addressing table of entry numbers finds them.
   */
  keyHash: Int32Array;
  keyAt: Int32Array;
  keyLen: Int32Array;
  keyTable: Int32Array;
}
