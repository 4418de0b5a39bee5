/**
 * BLOOM (Transformers 4.25.1): ALiBi, fused query_key_value, BLOOM's own cache layout.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.bloom;
