package org.exporters4j.checkpoint.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.torch.PythonValues.StorageReference;
import org.exporters4j.checkpoint.torch.PythonValues.TensorReference;
import org.exporters4j.checkpoint.torch.PythonValues.Tuple;
import org.junit.jupiter.api.Test;

class UnpicklerTest {
    private static Object load(PickleWriter pickle) {
        return Unpickler.load(ByteBuffer.wrap(pickle.toByteArray()), "test.pkl", Unpickler::refusePersistentId);
    }

    @Test
    void buildsPlainValues() {
        Object value = load(new PickleWriter().proto(4).emptyDict().memoize().mark()
                .shortUnicode("ints").mark().integer(7).integer(300).integer(-5).integer(1L << 40)
                .long1(new BigInteger("1950a86a20f9469cfc6c", 16)).tuple()
                .shortUnicode("float").binFloat(-2.5)
                .shortUnicode("flags").bool(true).bool(false).none().tuple3()
                .shortUnicode("list").emptyList().memoize().mark().unicode("x").unicode("é").appends()
                .shortUnicode("again").get(1) // the list: MEMOIZE numbered it 1, after the dict
                .setItems().stop());
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) value;
        assertEquals(new Tuple(List.of(7L, 300L, -5L, 1L << 40, new BigInteger("1950a86a20f9469cfc6c", 16))),
                dict.get("ints"));
        assertEquals(-2.5, dict.get("float"));
        assertEquals(new Tuple(List.of(true, false, PythonValues.None.NONE)), dict.get("flags"));
        assertEquals(new ArrayList<>(List.of("x", "é")), dict.get("list"));
        assertEquals(List.of("ints", "float", "flags", "list", "again"), new ArrayList<>(dict.keySet()));
        assertSame(dict.get("list"), dict.get("again"));
    }

    @Test
    void memoReferencesShareTheObject() {
        Object value = load(new PickleWriter().proto(2).emptyList().put(0).mark().emptyDict().put(1).get(1)
                .appends().stop());
        List<?> list = (List<?>) value;
        assertSame(list.get(0), list.get(1));
    }

    @Test
    void refusesOsSystemWithoutBuildingAnything() {
        // what `pickle.dumps(Exploit())` with __reduce__ = (os.system, ("echo pwned",)) looks like
        byte[] exploit = new PickleWriter().proto(2).global("os", "system").unicode("touch /tmp/pwned").tuple1()
                .reduce().stop().toByteArray();
        List<Object> loaded = new ArrayList<>();
        UnsafePickleException e = assertThrows(UnsafePickleException.class,
                () -> Unpickler.load(ByteBuffer.wrap(exploit), "evil.bin (archive/data.pkl)", pid -> {
                    loaded.add(pid);
                    return pid;
                }));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().startsWith("evil.bin (archive/data.pkl) refers to the Python global 'os.system',"
                + " which a PyTorch state dict never needs; exporters4j runs no code from a pickle"), e.getMessage());
        assertTrue(e.getMessage().contains("collections.OrderedDict, torch._utils._rebuild_parameter"),
                e.getMessage());
        assertEquals(List.of(), loaded);
    }

    @Test
    void refusesEvalThroughStackGlobalAndObjectBuildingOpcodes() {
        UnsafePickleException eval = assertThrows(UnsafePickleException.class, () -> load(new PickleWriter()
                .proto(4).stackGlobal("builtins", "eval").shortUnicode("1+1").tuple1().reduce().stop()));
        assertEquals("builtins.eval", eval.global());
        assertEquals("torch.load", assertThrows(UnsafePickleException.class,
                () -> load(new PickleWriter().proto(2).global("torch", "load").stop())).global());
        CorruptCheckpointException newObj = assertThrows(CorruptCheckpointException.class,
                () -> load(new PickleWriter().proto(2).global("collections", "OrderedDict").emptyTuple().op(0x81)
                        .stop()));
        assertTrue(newObj.getMessage().contains("opcode 0x81 builds an arbitrary Python object"), newObj.getMessage());
    }

    @Test
    void rebuildsTensorsFromPersistentStorages() {
        byte[] pickle = new PickleWriter().proto(2).global("torch._utils", "_rebuild_parameter")
                .global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().unicode("storage").global("torch", "HalfStorage").unicode("3").unicode("cpu").integer(12)
                .tuple().binPersId().integer(2).intTuple(2, 5).intTuple(1, 2).bool(false)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .bool(true).global("collections", "OrderedDict").emptyTuple().reduce().tuple3().reduce().stop()
                .toByteArray();
        Object value = Unpickler.load(ByteBuffer.wrap(pickle), "t.pkl", pid -> {
            Tuple id = (Tuple) pid;
            return new StorageReference((String) id.get(2), ((PythonValues.StorageType) id.get(1)).dtype(), 0,
                    (Long) id.get(4));
        });
        assertEquals(new TensorReference(new StorageReference("3", DType.F16, 0, 12), 2, List.of(2L, 5L),
                List.of(1L, 2L)), value);
    }

    @Test
    void reportsTruncatedAndMalformedPickles() {
        byte[] whole = new PickleWriter().proto(2).unicode("abcdef").stop().toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        CorruptCheckpointException truncated = assertThrows(CorruptCheckpointException.class,
                () -> Unpickler.load(ByteBuffer.wrap(cut), "cut.pkl", Unpickler::refusePersistentId));
        assertTrue(truncated.getMessage().startsWith("cut.pkl: a length of 6 exceeds the 4 bytes left"),
                truncated.getMessage());
        CorruptCheckpointException noStop = assertThrows(CorruptCheckpointException.class,
                () -> load(new PickleWriter().proto(2).integer(1)));
        assertTrue(noStop.getMessage().contains("ends before its STOP opcode"), noStop.getMessage());
        CorruptCheckpointException unknown = assertThrows(CorruptCheckpointException.class,
                () -> load(new PickleWriter().proto(2).op(0xff)));
        assertTrue(unknown.getMessage().contains("unsupported pickle opcode 0xff"), unknown.getMessage());
        assertThrows(CorruptCheckpointException.class, () -> load(new PickleWriter().proto(2).get(9).stop()));
        assertThrows(CorruptCheckpointException.class, () -> load(new PickleWriter().proto(2).setItems().stop()));
        assertThrows(CorruptCheckpointException.class, () -> load(new PickleWriter().proto(9).stop()));
        assertThrows(CorruptCheckpointException.class, () -> load(new PickleWriter().proto(2).stop()));
    }
}
