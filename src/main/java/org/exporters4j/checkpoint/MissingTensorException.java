package org.exporters4j.checkpoint;

/** A tensor name the weights do not hold; the message lists a few close matches and the number of tensors. */
public class MissingTensorException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final String tensorName;

    public MissingTensorException(String tensorName, String message) {
        super(message);
        this.tensorName = tensorName;
    }

    /** The name that was asked for. */
    public String tensorName() {
        return tensorName;
    }
}
