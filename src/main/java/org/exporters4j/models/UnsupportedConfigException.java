package org.exporters4j.models;

/**
 * The model's config.json sets an option this architecture does not build (for example
 * {@code position_embedding_type: relative_key}); the message names the option, its value, the supported values
 * and the config file.
 */
public class UnsupportedConfigException extends ArchitectureException {
    private static final long serialVersionUID = 1L;

    public UnsupportedConfigException(String message) {
        super(message);
    }
}
