package org.exporters4j.tasks;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.exporters4j.EnumIndex;

/**
 * The file layout of an export: which files, where, with which interface. A model type's row says which layouts it
 * has ({@link ModelTypeRow#layouts()}, the first its default); the option {@code export onnx --layout} picks one.
 *
 * <ul>
 *   <li>{@link #OPTIMUM_1_5}: Optimum v1.5.2's {@code python -m optimum.exporters.onnx}: one {@code model.onnx} with
 *       v1.5.2's interface, config and tokenizer files beside it (what exporters4j always wrote; the default of the
 *       model types Optimum v1.5.2 registers);</li>
 *   <li>{@link #OPTIMUM}: Optimum 1.25.3's {@code optimum-cli export onnx} with default flags: for a decoder-only
 *       model one {@code model.onnx} whose cache is an input (an empty past on the first step), with
 *       {@code position_ids} where Optimum gives them ({@code ../shared/reference/optimum-today-layout.md} §3, §4);
 *       the files directly in the output folder, as {@code onnx_export_from_model} writes them;</li>
 *   <li>{@link #TRANSFORMERS_JS}: the same ONNX files under {@code onnx/}, config.json, generation_config.json and
 *       the tokenizer and processor files at the top: a local model folder as transformers.js v3 and v4 load it
 *       ({@code onnx/model.onnx} for the fp32 dtype, which config.json's {@code transformers.js_config} selects on
 *       every device; the tokenizer from {@code tokenizer.json} and {@code tokenizer_config.json}).</li>
 * </ul>
 */
public enum Layout {
    OPTIMUM_1_5("optimum-1.5", "", "Optimum v1.5.2's model.onnx and interface"),
    OPTIMUM("optimum", "", "Optimum 1.25.3's files and interface (ONNX Runtime, optimum.onnxruntime)"),
    TRANSFORMERS_JS("transformers.js", "onnx", "Optimum 1.25.3's files under onnx/, config and tokenizer at the top");

    private static final EnumIndex<Layout, String> BY_ID = EnumIndex.of(Layout.class, Layout::id);

    private final String id;
    private final String modelFolder;
    private final String description;

    Layout(String id, String modelFolder, String description) {
        this.id = id;
        this.modelFolder = modelFolder;
        this.description = description;
    }

    /** The option value: {@code optimum-1.5}, {@code optimum}, {@code transformers.js}. */
    public String id() {
        return id;
    }

    /** The folder of the ONNX files relative to the output folder: empty (the top) or {@code onnx}. */
    public String modelFolder() {
        return modelFolder;
    }

    /** For people, after the id in help and errors. */
    public String description() {
        return description;
    }

    /** Every layout's id, in this order: {@code optimum-1.5, optimum, transformers.js}. */
    public static String ids() {
        return BY_ID.keys();
    }

    /** The ids of {@code layouts}, comma-separated. */
    public static String ids(List<Layout> layouts) {
        return layouts.stream().map(Layout::id).collect(Collectors.joining(", "));
    }

    /**
     * The layout of an option value, in any case ({@code Transformers.js}).
     *
     * @throws IllegalArgumentException naming the value and the valid choices
     */
    public static Layout parse(String value) {
        return BY_ID.find(value == null ? null : value.strip().toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new IllegalArgumentException("--layout \"" + value + "\" is not a layout; the layouts are " + ids()
                + " (default: optimum-1.5 for the model types Optimum v1.5.2 registers, optimum for the others)"));
    }

    @Override
    public String toString() {
        return id;
    }
}
