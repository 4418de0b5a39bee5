package org.exporters4j.checkpoint.torch;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Test side: emits pickle opcodes one by one (numbers and layouts as CPython's pickletools documents them). */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter proto(int version) {
        return op(0x80).raw(version);
    }

    PickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleWriter stackGlobal(String module, String name) {
        return unicode(module).unicode(name).op(0x93);
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter unicode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return op('X').int32(bytes.length).raw(bytes);
    }

    PickleWriter shortUnicode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return op(0x8c).raw(bytes.length).raw(bytes);
    }

    PickleWriter integer(long value) {
        if (value >= 0 && value < 256) {
            return op('K').raw((int) value);
        }
        if (value >= 0 && value < 65536) {
            return op('M').raw((int) value & 0xff).raw((int) value >>> 8);
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return op('J').int32((int) value);
        }
        return long1(BigInteger.valueOf(value));
    }

    PickleWriter long1(BigInteger value) {
        byte[] bigEndian = value.toByteArray();
        op(0x8a).raw(bigEndian.length);
        for (int i = bigEndian.length - 1; i >= 0; i--) {
            raw(bigEndian[i] & 0xff);
        }
        return this;
    }

    PickleWriter binFloat(double value) {
        long bits = Double.doubleToLongBits(value);
        op('G');
        for (int shift = 56; shift >= 0; shift -= 8) {
            raw((int) (bits >>> shift) & 0xff);
        }
        return this;
    }

    PickleWriter bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    PickleWriter none() {
        return op('N');
    }

    PickleWriter emptyTuple() {
        return op(')');
    }

    PickleWriter tuple() {
        return op('t');
    }

    PickleWriter tuple1() {
        return op(0x85);
    }

    PickleWriter tuple2() {
        return op(0x86);
    }

    PickleWriter tuple3() {
        return op(0x87);
    }

    /** A tuple of small non-negative integers, with the opcodes torch uses by length. */
    PickleWriter intTuple(long... values) {
        if (values.length == 0) {
            return emptyTuple();
        }
        if (values.length > 3) {
            mark();
        }
        for (long value : values) {
            integer(value);
        }
        return switch (values.length) {
            case 1 -> tuple1();
            case 2 -> tuple2();
            case 3 -> tuple3();
            default -> tuple();
        };
    }

    PickleWriter emptyDict() {
        return op('}');
    }

    PickleWriter emptyList() {
        return op(']');
    }

    PickleWriter setItems() {
        return op('u');
    }

    PickleWriter setItem() {
        return op('s');
    }

    PickleWriter appends() {
        return op('e');
    }

    PickleWriter reduce() {
        return op('R');
    }

    PickleWriter build() {
        return op('b');
    }

    PickleWriter binPersId() {
        return op('Q');
    }

    PickleWriter put(int index) {
        return index < 256 ? op('q').raw(index) : op('r').int32(index);
    }

    PickleWriter get(int index) {
        return index < 256 ? op('h').raw(index) : op('j').int32(index);
    }

    PickleWriter memoize() {
        return op(0x94);
    }

    PickleWriter stop() {
        return op('.');
    }

    PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleWriter raw(int oneByte) {
        out.write(oneByte);
        return this;
    }

    PickleWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleWriter int32(int value) {
        return raw(value & 0xff).raw((value >>> 8) & 0xff).raw((value >>> 16) & 0xff).raw((value >>> 24) & 0xff);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
