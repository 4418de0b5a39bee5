package org.exporters4j.checkpoint.folder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;

/**
 * A checkpoint's tensors under the names Transformers gives them when it loads the checkpoint: as Transformers 4.25.1
 * {@code PreTrainedModel._load_pretrained_model} ({@code _fix_key}), a stored key containing {@code beta} is read
 * with {@code bias} in its place, and one containing {@code gamma} with {@code weight}. Checkpoints converted from
 * the original TensorFlow BERT (e.g. {@code bert-base-uncased}'s pytorch_model.bin) store their LayerNorm parameters
 * as {@code LayerNorm.gamma} / {@code LayerNorm.beta}. A legacy name whose modern name is stored too is left as it
 * is (the modern tensor wins).
 *
 * <p>The view owns the weights it renames: closing it closes them.
 */
final class LegacyParameterNames implements Weights {
    private final Weights stored;
    /** loaded name → stored name, for every tensor. */
    private final Map<String, String> storedNames;
    private final List<String> names;

    private LegacyParameterNames(Weights stored, Map<String, String> storedNames) {
        this.stored = stored;
        this.storedNames = storedNames;
        List<String> sorted = new ArrayList<>(storedNames.keySet());
        Collections.sort(sorted);
        this.names = List.copyOf(sorted);
    }

    /** {@code stored} itself when no name needs renaming, else the renaming view. */
    static Weights of(Weights stored) {
        Objects.requireNonNull(stored, "stored");
        List<String> storedList = stored.names();
        Map<String, String> loaded = new HashMap<>();
        boolean renamed = false;
        for (String name : storedList) {
            String modern = loadedName(name);
            if (!modern.equals(name) && !stored.contains(modern)) {
                loaded.put(modern, name);
                renamed = true;
            } else {
                loaded.put(name, name);
            }
        }
        return renamed ? new LegacyParameterNames(stored, loaded) : stored;
    }

    /** Transformers 4.25.1's {@code _fix_key}. */
    static String loadedName(String key) {
        if (key.contains("beta")) {
            return key.replace("beta", "bias");
        }
        if (key.contains("gamma")) {
            return key.replace("gamma", "weight");
        }
        return key;
    }

    private String storedName(String name) {
        String storedName = storedNames.get(name);
        return storedName != null ? storedName : name; // unknown: the stored weights report it, with close matches
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return storedNames.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = stored.info(storedName(name));
        return new TensorInfo(name, info.dtype(), info.shape());
    }

    @Override
    public ByteBuffer bytes(String name) {
        return stored.bytes(storedName(name));
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        stored.transferTo(storedName(name), target);
    }

    @Override
    public Object storageIdentity(String name) {
        return stored.storageIdentity(storedName(name));
    }

    @Override
    public List<Path> files() {
        return stored.files();
    }

    @Override
    public WeightsFormat format() {
        return stored.format();
    }

    @Override
    public void close() {
        stored.close();
    }
}
