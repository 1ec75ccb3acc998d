// The protobuf wire format, read-only and bounded: what the receiver needs to decode the few OTLP
// messages it takes (otlp-protobuf.ts). Hand-written rather than a dependency: the receiver runs as
// plain files under Node's type stripping with no node_modules (as the registrator does), and the wire
// format is small (https://protobuf.dev/programming-guides/encoding/). Every read checks the bounds:
// a malformed body throws a WireError, never reads past its buffer, and never recurses without limit.

export class WireError extends Error {
  override name = 'WireError';
}

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

export class Reader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  /** Nesting depth of this message (AnyValue nests arrays and maps). */
  readonly depth: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length, depth = 0) {
    if (depth > 32) throw new WireError('messages nested deeper than 32 levels');
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.depth = depth;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** A varint as a bigint (int64, uint64 fields). */
  varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint that fits a number (tags, lengths, enums, uint32, bool). */
  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return result;
      factor *= 128;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** The next field's number and wire type; throws on a field number of 0. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new WireError('field number 0');
    return { field, wire: key % 8 };
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new WireError('truncated fixed64');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getBigUint64(0, true);
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new WireError('truncated double');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const length = this.varint();
    if (length > this.end - this.pos) throw new WireError('length-delimited field runs past its message');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return decoder.decode(this.bytes());
  }

  /** A nested message, read by the returned Reader. */
  message(): Reader {
    const length = this.varint();
    if (length > this.end - this.pos) throw new WireError('embedded message runs past its parent');
    const sub = new Reader(this.buf, this.pos, this.pos + length, this.depth + 1);
    this.pos += length;
    return sub;
  }

  /** Skips a field of a type the decoder does not read (unknown fields must be ignored). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.VARINT:
        this.varint64();
        return;
      case WIRE.I64:
        if (this.pos + 8 > this.end) throw new WireError('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.bytes();
        return;
      case WIRE.I32:
        if (this.pos + 4 > this.end) throw new WireError('truncated fixed32');
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wire}`);
    }
  }

  /** Checks the wire type a field must have. */
  expect(wire: number, wanted: number, what: string): void {
    if (wire !== wanted) throw new WireError(`${what}: wire type ${wire}, expected ${wanted}`);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Writes the few messages the receiver answers with (google.rpc.Status, partial success). */
export class Writer {
  readonly #parts: number[] = [];

  #varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.#parts.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.#parts.push(v);
  }

  uint(field: number, value: number): this {
    this.#varint(field * 8 + WIRE.VARINT);
    this.#varint(value);
    return this;
  }

  string(field: number, value: string): this {
    const bytes = new TextEncoder().encode(value);
    return this.bytes(field, bytes);
  }

  bytes(field: number, value: Uint8Array): this {
    this.#varint(field * 8 + WIRE.LEN);
    this.#varint(value.length);
    for (const b of value) this.#parts.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}
