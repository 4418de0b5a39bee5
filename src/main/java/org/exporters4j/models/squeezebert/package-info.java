/**
 * SqueezeBERT: BERT's computation with grouped 1-D convolutions (kernel 1) over {@code [batch, channels,
 * sequence]} in place of the linear layers of each encoder layer, as Transformers 4.25.1's
 * {@code modeling_squeezebert.py}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.squeezebert;
