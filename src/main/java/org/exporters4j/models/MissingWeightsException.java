package org.exporters4j.models;

/**
 * The checkpoint lacks a tensor the requested head needs (for example {@code classifier.weight} when a bare
 * {@code BertModel} checkpoint is exported for sequence classification); the message names the tensor, the head and
 * the checkpoint files.
 */
public class MissingWeightsException extends ArchitectureException {
    private static final long serialVersionUID = 1L;

    public MissingWeightsException(String message) {
        super(message);
    }
}
