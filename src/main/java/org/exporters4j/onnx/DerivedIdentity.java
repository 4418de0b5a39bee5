package org.exporters4j.onnx;

import java.util.List;

/** The identity of a derived tensor: equal operations on equal sources are the same weight. */
record DerivedIdentity(String operation, List<Object> arguments) {
    DerivedIdentity {
        arguments = List.copyOf(arguments);
    }
}
