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
 * Work and memory are bounded by the pickle's own counters, not by its size alone: at most {@link #MAX_OPCODES}
 * opcodes run (each builds at most one value or memo entry, so the stack, the marks and the memo stay under it: a
 * pickle of a billion DUP or MEMOIZE opcodes stops after two million), integers have at most
 * {@link #MAX_INTEGER_DIGITS} digits (CPython's own limit for text integers; binary ones of as many bytes as that
 * many digits need), and a dict key must be hashable in Python's sense and small ({@link #MAX_KEY_VALUES} values),
 * so that hashing it can neither recurse without end (a list containing itself) nor take long. Values are shown in
 * messages by {@link PythonValues#show}, which stops at cycles and after a few dozen characters.
 */
final class Unpickler {
    /** Resolves a persistent id (PyTorch: a storage) to a value; may throw a checkpoint exception. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object persistentId);
    }

    private static final int HIGHEST_PROTOCOL = 5;
    /**
     * The most opcodes one pickle may run. A state dict's pickle runs about 30 per tensor (name, rebuild call,
     * persistent id, size and stride tuples, memo writes), so this admits some 60,000 tensors in one file (the
     * largest single-file checkpoints hold a few thousand) while it bounds what the pickle can build to about
     * 120 MB of heap.
     */
    static final long MAX_OPCODES = 2_000_000;
    /** As CPython's {@code sys.int_info.default_max_str_digits}: longer text integers are refused unparsed. */
    static final int MAX_INTEGER_DIGITS = 4300;
    /** The bytes of a binary integer (LONG1, LONG4) of {@link #MAX_INTEGER_DIGITS} decimal digits. */
    static final int MAX_INTEGER_BYTES = (int) Math.ceil(MAX_INTEGER_DIGITS * Math.log(10) / Math.log(2) / 8);
    /** The most values (the key and, nested, the items of its tuples) a dict key may hold. */
    static final int MAX_KEY_VALUES = 64;

    private final ByteBuffer in;
    private final String source;
    private final PersistentLoader persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodePosition;
    private long opcodes;

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
            if (++opcodes > MAX_OPCODES) {
                throw corrupt("the pickle runs more than " + MAX_OPCODES + " opcodes, more than a state dict of"
                        + " 60,000 tensors needs; it is not a model's state dict (if it is genuine, convert it to"
                        + " safetensors with Transformers: save_pretrained(..., safe_serialization=True))");
            }
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
                case 0x8b -> push(littleEndianInteger(in.getInt())); // LONG4
                case 'I' -> push(textInteger(readLine())); // INT
                case 'L' -> push(toCompact(decimal(stripSuffix(readLine(), "L")))); // LONG
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
                    Object key = hashable(pop());
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
                            dict.put(hashable(entry.get(0)), entry.get(1));
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
            dict.put(hashable(items.get(i)), items.get(i + 1));
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

    /**
     * The key itself, once checked to be a dict key Python accepts (a list, dict or bytes-like value is unhashable
     * or never a state-dict key) and small: a tuple of at most {@link #MAX_KEY_VALUES} values in all, so hashing and
     * comparing it is short and cannot recurse deeply. Walked with a stack of its own.
     */
    private Object hashable(Object key) {
        List<Object> pending = new ArrayList<>(List.of(key));
        int seen = 0;
        while (!pending.isEmpty()) {
            Object value = pending.remove(pending.size() - 1);
            if (++seen > MAX_KEY_VALUES) {
                throw corrupt("a dict key holds more than " + MAX_KEY_VALUES + " values (" + PythonValues.show(key)
                        + "); a state dict's keys are names");
            }
            if (value instanceof Tuple tuple) {
                pending.addAll(tuple.items());
            } else if (!(value instanceof String || value instanceof Long || value instanceof BigInteger
                    || value instanceof Double || value instanceof Boolean || value == None.NONE)) {
                throw corrupt("a dict key is " + describe(value) + ", which is unhashable or never a state-dict key;"
                        + " a state dict's keys are names");
            }
        }
        return key;
    }

    private Object memoized(long index) {
        Object value = memo.get(index);
        if (value == null) {
            throw corrupt("memo entry " + index + " is read before it is written");
        }
        return value;
    }

    /** Pushes a value; the opcode budget bounds the stack (at most one push per opcode). */
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
    private Object littleEndianInteger(long length) {
        if (length > MAX_INTEGER_BYTES) {
            throw corrupt("a binary integer of " + length + " bytes exceeds the " + MAX_INTEGER_BYTES + " bytes of "
                    + MAX_INTEGER_DIGITS + " decimal digits (CPython's limit for integers); a state dict's integers"
                    + " are sizes and offsets");
        }
        byte[] bigEndian = new byte[checkedLength(length)];
        for (int i = bigEndian.length - 1; i >= 0; i--) {
            bigEndian[i] = in.get();
        }
        return length == 0 ? 0L : toCompact(new BigInteger(bigEndian));
    }

    private static Object toCompact(BigInteger value) {
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private Object textInteger(String text) {
        return switch (text) {
            case "00" -> Boolean.FALSE;
            case "01" -> Boolean.TRUE;
            default -> toCompact(decimal(text));
        };
    }

    /**
     * A decimal text integer (INT, LONG), refused unparsed beyond {@link #MAX_INTEGER_DIGITS} digits: parsing is
     * quadratic in the digits, and CPython refuses the same (sys.set_int_max_str_digits).
     */
    private BigInteger decimal(String text) {
        int digits = text.startsWith("-") || text.startsWith("+") ? text.length() - 1 : text.length();
        if (digits > MAX_INTEGER_DIGITS) {
            throw corrupt("a text integer of " + digits + " digits exceeds the limit of " + MAX_INTEGER_DIGITS
                    + " digits (CPython's default_max_str_digits); a state dict's integers are sizes and offsets");
        }
        return new BigInteger(text);
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
        return value == null ? "nothing" : value.getClass().getSimpleName() + " " + PythonValues.show(value);
    }

    private CorruptCheckpointException corrupt(String problem) {
        return new CorruptCheckpointException(source + ": " + problem + " (pickle byte " + opcodePosition
                + "); the file is damaged or is not a PyTorch state dict: re-save it with save_pretrained");
    }
}
