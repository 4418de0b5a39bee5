package org.exporters4j.checkpoint.torch;

import java.util.Optional;
import org.exporters4j.EnumIndex;

/**
 * The Python globals a pickled state dict may refer to, the only ones the unpickler resolves (storage classes such
 * as {@code torch.FloatStorage} are resolved too, from {@link org.exporters4j.checkpoint.DType}). Each is modelled in
 * Java, never looked up or called: as PyTorch's {@code weights_only} unpickler, anything else is refused.
 */
enum AllowedGlobal {
    // module            name
    CODECS_ENCODE("_codecs", "encode"),
    ORDERED_DICT("collections", "OrderedDict"),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
    REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state"),
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2");

    private static final EnumIndex<AllowedGlobal, String> BY_NAME =
            EnumIndex.of(AllowedGlobal.class, AllowedGlobal::qualifiedName);

    private final String module;
    private final String name;

    AllowedGlobal(String module, String name) {
        this.module = module;
        this.name = name;
    }

    /** {@code module.name}, as Python spells it. */
    String qualifiedName() {
        return module + "." + name;
    }

    static Optional<AllowedGlobal> find(String module, String name) {
        return BY_NAME.find(module + "." + name);
    }
}
