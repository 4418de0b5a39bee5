package org.exporters4j.export;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Stopping the JVM (SIGTERM, Ctrl-C) without cutting the two steps an exit must not interrupt:
 *
 * <ul>
 *   <li>{@link Step#VALIDATION}: ONNX Runtime registers a JVM shutdown hook that frees its native environment; an exit
 *       while a thread is inside ONNX Runtime (creating the validation session, running it) frees that environment
 *       under the running call and the JVM crashes (SIGSEGV in libonnxruntime, exit 134);</li>
 *   <li>{@link Step#PUBLISHING}: the renames that move a complete export into its output folder; cut halfway, the
 *       folder would hold a mix of the previous and the new export.</li>
 * </ul>
 *
 * <p>Contract: whoever handles the signal calls {@link #request}. With no step under way the answer is
 * {@link Decision#exitNow()}: every unpublished export's staging folder has been removed (the answer says what each
 * output folder holds), no step can start any more, and the caller may exit the JVM. Otherwise the stop is deferred:
 * the thread in the step throws {@link ExportInterruptedException} at its next safe point (after the ONNX Runtime call
 * under way returns, or once the publish is complete), unwinds normally (closing the ONNX Runtime session and removing
 * the staging folder) and the CLI exits with the signal's code. No step starts once a stop was requested.
 *
 * <p>One instance, {@link #JVM}, serves the whole JVM because a signal and the shutdown hooks are JVM-wide: it holds
 * only the steps in progress and the open output folders, never configuration. Tests use their own instances.
 */
public final class ExportStop {
    /** A step the JVM must not exit in the middle of. */
    enum Step {
        /** Creating the staging folder and registering it, so that a stop finds it and removes it. */
        PREPARING("preparation of the output folder"),
        VALIDATION("validation in ONNX Runtime"),
        PUBLISHING("publishing");

        private final String description;

        Step(String description) {
            this.description = description;
        }
    }

    /** A body run as a step: an ONNX Runtime call or the publishing renames. */
    @FunctionalInterface
    interface StepBody<T> {
        T run();
    }

    /**
     * The answer to a stop request.
     *
     * @param exitNow true: nothing that an exit would cut is under way, the unpublished exports are discarded and the
     *     caller may exit the JVM; false: the thread in the step stops at its next safe point
     * @param outcome what each open output folder holds now (exitNow; empty when no export was under way), or which
     *     step the stop waits for
     */
    public record Decision(boolean exitNow, String outcome) {
        public Decision {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** The JVM's: every export uses it; the CLI's signal handler asks it to stop. */
    static final ExportStop JVM = new ExportStop();

    private final Object lock = new Object();
    /** Steps under way, in all threads. Guarded by lock. */
    private final List<Step> active = new ArrayList<>();
    /** Output folders prepared and not closed. Guarded by lock. */
    private final Set<OutputFolder> open = new LinkedHashSet<>();
    /** The first stop request, if any. Guarded by lock. */
    private StopSignal requested;

    ExportStop() {}

    /**
     * Asks every export of this JVM to stop for {@code signal}; see the class comment. Called by the CLI's signal
     * handler.
     */
    public static Decision request(StopSignal signal) {
        return JVM.requestStop(signal);
    }

    Decision requestStop(StopSignal signal) {
        Objects.requireNonNull(signal, "signal");
        List<OutputFolder> folders;
        synchronized (lock) {
            if (requested == null) {
                requested = signal;
            }
            if (!active.isEmpty()) {
                return new Decision(false, "stopping once the " + active.get(0).description + " under way returns");
            }
            folders = List.copyOf(open);
        }
        List<String> outcomes = new ArrayList<>();
        for (OutputFolder folder : folders) {
            outcomes.add(folder.discardForExit());
        }
        return new Decision(true, String.join("; ", outcomes));
    }

    /**
     * Runs {@code body} as {@code step}: a stop requested meanwhile waits until it returns. Throws
     * {@link ExportInterruptedException} instead of starting when a stop was requested, and after the body when one
     * was requested while it ran.
     */
    <T> T during(Step step, StepBody<T> body) {
        synchronized (lock) {
            throwIfRequested();
            active.add(step);
        }
        T result;
        try {
            result = body.run();
        } finally {
            synchronized (lock) {
                active.remove(step);
            }
        }
        checkpoint();
        return result;
    }

    /** A safe point inside a step: throws {@link ExportInterruptedException} when a stop was requested. */
    void checkpoint() {
        synchronized (lock) {
            throwIfRequested();
        }
    }

    /** The steps under way, in all threads, in the order they started. */
    List<Step> stepsUnderWay() {
        synchronized (lock) {
            return List.copyOf(active);
        }
    }

    /** The stop requested, if any. */
    Optional<StopSignal> requested() {
        synchronized (lock) {
            return Optional.ofNullable(requested);
        }
    }

    private void throwIfRequested() {
        if (requested != null) {
            throw new ExportInterruptedException(requested, "stopped by " + requested);
        }
    }

    void opened(OutputFolder folder) {
        synchronized (lock) {
            open.add(folder);
        }
    }

    void closed(OutputFolder folder) {
        synchronized (lock) {
            open.remove(folder);
        }
    }
}
