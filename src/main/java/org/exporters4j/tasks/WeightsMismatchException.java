package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/**
 * A checkpoint whose tensors do not fit the architecture that loads it: tensors it needs are missing, or tensors it
 * does not know are present. The message lists them (a few of each, with counts) and the weight files.
 */
public class WeightsMismatchException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public WeightsMismatchException(String message) {
        super(message);
    }
}
