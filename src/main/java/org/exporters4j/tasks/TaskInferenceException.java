package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/**
 * The task of a model cannot be inferred: the Hub's metadata and config.json {@code architectures} name no class that
 * maps to a task, or several tasks fit. The message lists what was found and says to pass {@code --task}.
 */
public class TaskInferenceException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public TaskInferenceException(String message) {
        super(message);
    }
}
