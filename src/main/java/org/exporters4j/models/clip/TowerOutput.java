package org.exporters4j.models.clip;

import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Value;

/**
 * What a CLIP tower (text or vision) returns: its last hidden state as rows, the pooled output the projection reads,
 * and the runtime token grid the rows are laid out on.
 *
 * @param lastHiddenState rows {@code [batch × tokens, hidden]} (the text tower's after its final layer norm; the
 *                        vision tower's tokens are the patches plus the class token)
 * @param pooled {@code [batch, hidden]}
 * @param grid the runtime {@code [batch, tokens]}
 */
public record TowerOutput(Value lastHiddenState, Value pooled, TokenGrid grid) {}
