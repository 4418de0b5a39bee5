package org.exporters4j.checkpoint.torch;

import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.torch.PythonValues.Bytes;
import org.exporters4j.checkpoint.torch.PythonValues.None;
import org.exporters4j.checkpoint.torch.PythonValues.StorageReference;
import org.exporters4j.checkpoint.torch.PythonValues.StorageType;
import org.exporters4j.checkpoint.torch.PythonValues.TensorReference;
import org.exporters4j.checkpoint.torch.PythonValues.Tuple;

/**
 * A pickle reader for state dicts that never runs code: it interprets the opcodes of pickle protocols 0 to 5 that
 * {@code torch.save} emits (and the other data opcodes), builds {@link PythonValues} only, and resolves a global
 * only if it is an {@link AllowedGlobal} or a PyTorch storage class. Any other global ({@code os.system},
 * {@code builtins.eval}, ...) is refused when its reference is read, before it could be called; opcodes that build
 * arbitrary objects ({@code INST}, {@code OBJ}, {@code NEWOBJ}, extension codes) are refused too.
 *
 * <p>Opcode numbers and semantics as CPython's {@code pickletools} documents them. The input is untrusted: every
 * length is checked against the bytes left before anything is allocated, and the machine is a loop, not recursion.
 */
final class Unpickler {
    /** Resolves a persistent id (PyTorch: a storage) to a value; may throw a checkpoint exception. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object persistentId);
    }

    private static final int HIGHEST_PROTOCOL = 5;

    private final ByteBuffer in;
    private final String source;
    private final PersistentLoader persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodePosition;

    private Unpickler(ByteBuffer in, String source, PersistentLoader persistentLoader) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.persistentLoader = persistentLoader;
    }

    /**
     * Reads one pickle from {@code in}'s position up to its STOP opcode (the position is left after it) and returns
     * its value. {@code source} names the pickle in errors (file and record).
     */
    static Object load(ByteBuffer in, String source, PersistentLoader persistentLoader) {
        Unpickler unpickler = new Unpickler(in, source, persistentLoader);
        try {
            return unpickler.run();
        } catch (BufferUnderflowException e) {
            throw unpickler.corrupt("the pickle ends before its STOP opcode (the file is truncated)");
        } catch (ClassCastException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw unpickler.corrupt("malformed pickle (" + e.getMessage() + ")");
        }
    }

    /** A persistent-id loader for pickles that must not have any. */
    static Object refusePersistentId(Object persistentId) {
        throw new IllegalArgumentException("unexpected persistent id " + persistentId);
    }

    private Object run() {
        while (true) {
            opcodePosition = in.position();
            int opcode = in.get() & 0xff;
            switch (opcode) {
                case 0x80 -> { // PROTO
                    int protocol = in.get() & 0xff;
                    if (protocol > HIGHEST_PROTOCOL) {
                        throw corrupt("pickle protocol " + protocol + " is newer than the highest known, "
                                + HIGHEST_PROTOCOL);
                    }
                }
                case 0x95 -> in.getLong(); // FRAME: a length hint; the frame's opcodes follow inline
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(None.NONE);
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                case 0x8a -> push(littleEndianInteger(in.get() & 0xff)); // LONG1
                case 0x8b -> push(littleEndianInteger(checkedLength(in.getInt()))); // LONG4
                case 'I' -> push(textInteger(readLine())); // INT
                case 'L' -> push(toCompact(new BigInteger(stripSuffix(readLine(), "L")))); // LONG
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                case 'F' -> push(Double.parseDouble(readLine())); // FLOAT
                case 0x8c -> push(utf8(in.get() & 0xff)); // SHORT_BINUNICODE
                case 'X' -> push(utf8(checkedLength(Integer.toUnsignedLong(in.getInt())))); // BINUNICODE
                case 0x8d -> push(utf8(checkedLength(in.getLong()))); // BINUNICODE8
                case 'U' -> push(utf8(in.get() & 0xff)); // SHORT_BINSTRING, decoded as torch.load's utf-8
                case 'T' -> push(utf8(checkedLength(in.getInt()))); // BINSTRING
                case 'C' -> push(bytes(in.get() & 0xff)); // SHORT_BINBYTES
                case 'B' -> push(bytes(checkedLength(Integer.toUnsignedLong(in.getInt())))); // BINBYTES
                case 0x8e -> push(bytes(checkedLength(in.getLong()))); // BINBYTES8
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 0x85 -> push(new Tuple(List.of(pop()))); // TUPLE1
                case 0x86 -> { // TUPLE2
                    Object second = pop();
                    push(new Tuple(Arrays.asList(pop(), second)));
                }
                case 0x87 -> { // TUPLE3
                    Object third = pop();
                    Object second = pop();
                    push(new Tuple(Arrays.asList(pop(), second, third)));
                }
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> push(dictionary(popMark())); // DICT
                case 'a' -> { // APPEND
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    dict(peek()).put(key, value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    dict(peek()).putAll(dictionary(items));
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                case 'r' -> memo.put(Integer.toUnsignedLong(in.getInt()), peek()); // LONG_BINPUT
                case 'p' -> memo.put(Long.parseLong(readLine()), peek()); // PUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoized(in.get() & 0xff)); // BINGET
                case 'j' -> push(memoized(Integer.toUnsignedLong(in.getInt()))); // LONG_BINGET
                case 'g' -> push(memoized(Long.parseLong(readLine()))); // GET
                case 'c' -> { // GLOBAL
                    String module = readLine();
                    push(resolve(module, readLine()));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw corrupt("STACK_GLOBAL needs two strings, found " + describe(module) + " and "
                                + describe(name));
                    }
                    push(resolve((String) module, (String) name));
                }
                case 'Q' -> push(persistentLoader.load(pop())); // BINPERSID
                case 'P' -> push(persistentLoader.load(readLine())); // PERSID
                case 'R' -> { // REDUCE
                    Object arguments = pop();
                    Object callable = pop();
                    push(call(callable, arguments));
                }
                case 'b' -> build(pop(), peek()); // BUILD
                case 'i', 'o', 0x81, 0x92, 0x82, 0x83, 0x84 -> throw corrupt("opcode " + opcodeName(opcode)
                        + " builds an arbitrary Python object, which a state dict never needs");
                default -> throw corrupt("unsupported pickle opcode " + opcodeName(opcode));
            }
        }
    }

    private Object resolve(String module, String name) {
        Optional<AllowedGlobal> allowed = AllowedGlobal.find(module, name);
        if (allowed.isPresent()) {
            return allowed.get();
        }
        if (module.equals("torch")) {
            Optional<DType> dtype = DType.fromTorchStorageClass(name);
            if (dtype.isPresent()) {
                return new StorageType(dtype.get());
            }
        }
        String global = (module + "." + name).replaceAll("\\p{Cntrl}", "?");
        String permitted = Arrays.stream(AllowedGlobal.values()).map(AllowedGlobal::qualifiedName)
                .collect(Collectors.joining(", "));
        throw new UnsafePickleException(global, source + " refers to the Python global '" + global + "', which a"
                + " PyTorch state dict never needs; exporters4j runs no code from a pickle and stopped reading (it"
                + " allows only " + permitted + " and torch.<Type>Storage). Do not load this file with torch.load;"
                + " if you trust it, re-save its state dict as safetensors");
    }

    private Object call(Object callable, Object arguments) {
        if (!(arguments instanceof Tuple)) {
            throw corrupt("REDUCE needs an argument tuple, found " + describe(arguments));
        }
        Tuple args = (Tuple) arguments;
        if (callable instanceof AllowedGlobal) {
            switch ((AllowedGlobal) callable) {
                case ORDERED_DICT -> {
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
                        for (Object pair : pairs) {
                            Tuple entry = (Tuple) pair;
                            dict.put(entry.get(0), entry.get(1));
                        }
                    } else if (args.size() != 0) {
                        throw corrupt("OrderedDict called with " + args.size() + " arguments");
                    }
                    return dict;
                }
                case REBUILD_TENSOR_V2 -> {
                    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                    if (args.size() < 4 || !(args.get(0) instanceof StorageReference storage)) {
                        throw corrupt("_rebuild_tensor_v2 needs (storage, offset, size, stride, ...), found "
                                + describe(args));
                    }
                    return new TensorReference(storage, integer(args.get(1)), integers(args.get(2)),
                            integers(args.get(3)));
                }
                case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                    // (data, requires_grad, backward_hooks[, state]): a Parameter is its tensor's data
                    if (args.size() < 1 || !(args.get(0) instanceof TensorReference)) {
                        throw corrupt("_rebuild_parameter needs a tensor, found " + describe(args));
                    }
                    return args.get(0);
                }
                case CODECS_ENCODE -> {
                    // protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1')
                    if (args.size() != 2 || !(args.get(0) instanceof String text)
                            || !("latin1".equals(args.get(1)) || "latin-1".equals(args.get(1)))) {
                        throw corrupt("_codecs.encode is allowed only as (text, 'latin1'), found " + describe(args));
                    }
                    return new Bytes(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
                }
                default -> throw new IllegalStateException("every allowed global has a case");
            }
        }
        throw corrupt("REDUCE calls " + describe(callable) + ", which is not callable in a state dict");
    }

    /** BUILD: sets an object's state. On a dict it is the instance dict (state_dict's {@code _metadata}): ignored. */
    private void build(Object state, Object target) {
        if (target instanceof Map || target instanceof TensorReference) {
            return;
        }
        throw corrupt("BUILD sets the state of " + describe(target) + ", which a state dict does not hold");
    }

    private Map<Object, Object> dictionary(List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt("a dict needs key-value pairs, found " + items.size() + " items");
        }
        Map<Object, Object> dict = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
        return dict;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target) {
        if (!(target instanceof List)) {
            throw corrupt("APPEND to " + describe(target) + ", which is not a list");
        }
        return (List<Object>) target;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target) {
        if (!(target instanceof Map)) {
            throw corrupt("SETITEM on " + describe(target) + ", which is not a dict");
        }
        return (Map<Object, Object>) target;
    }

    private long integer(Object value) {
        if (value instanceof Long number) {
            return number;
        }
        throw corrupt("expected an integer, found " + describe(value));
    }

    private List<Long> integers(Object value) {
        if (!(value instanceof Tuple tuple)) {
            throw corrupt("expected a tuple of integers, found " + describe(value));
        }
        List<Long> numbers = new ArrayList<>(tuple.size());
        for (Object item : tuple.items()) {
            numbers.add(integer(item));
        }
        return numbers;
    }

    private Object memoized(long index) {
        Object value = memo.get(index);
        if (value == null) {
            throw corrupt("memo entry " + index + " is read before it is written");
        }
        return value;
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && stack.size() == marks.get(marks.size() - 1))) {
            throw corrupt("the stack is empty");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw corrupt("the stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw corrupt("no MARK to pop to");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private int checkedLength(long length) {
        if (length < 0 || length > in.remaining()) {
            throw corrupt("a length of " + length + " exceeds the " + in.remaining() + " bytes left");
        }
        return (int) length;
    }

    private String utf8(int length) {
        byte[] bytes = new byte[checkedLength(length)];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Bytes bytes(int length) {
        byte[] bytes = new byte[checkedLength(length)];
        in.get(bytes);
        return new Bytes(ByteBuffer.wrap(bytes));
    }

    /** A two's-complement little-endian integer of {@code length} bytes (LONG1, LONG4). */
    private Object littleEndianInteger(int length) {
        byte[] bigEndian = new byte[checkedLength(length)];
        for (int i = length - 1; i >= 0; i--) {
            bigEndian[i] = in.get();
        }
        return length == 0 ? 0L : toCompact(new BigInteger(bigEndian));
    }

    private static Object toCompact(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static Object textInteger(String text) {
        return switch (text) {
            case "00" -> Boolean.FALSE;
            case "01" -> Boolean.TRUE;
            default -> toCompact(new BigInteger(text));
        };
    }

    private static String stripSuffix(String text, String suffix) {
        return text.endsWith(suffix) ? text.substring(0, text.length() - suffix.length()) : text;
    }

    /** A newline-terminated text argument (protocol 0 opcodes, GLOBAL). */
    private String readLine() {
        int start = in.position();
        int end = start;
        while (end < in.limit() && in.get(end) != '\n') {
            end++;
        }
        if (end == in.limit()) {
            throw corrupt("a text argument has no end of line");
        }
        byte[] bytes = new byte[end - start];
        in.get(bytes);
        in.get(); // the newline
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String opcodeName(int opcode) {
        String hex = String.format("0x%02x", opcode);
        return opcode >= 0x20 && opcode < 0x7f ? hex + " ('" + (char) opcode + "')" : hex;
    }

    private static String describe(Object value) {
        String text = String.valueOf(value).replaceAll("\\p{Cntrl}", "?"); // messages stay one line
        String shown = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + shown;
    }

    private CorruptCheckpointException corrupt(String problem) {
        return new CorruptCheckpointException(source + ": " + problem + " (pickle byte " + opcodePosition
                + "); the file is damaged or is not a PyTorch state dict: re-save it with save_pretrained");
    }
}
