package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/**
 * A model argument that names no usable checkpoint: neither an existing folder nor a Hub repo id, or a folder
 * without the weight files a framework needs. The message names what was looked for.
 */
public class ModelNotFoundException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(String message) {
        super(message);
    }

    public ModelNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
