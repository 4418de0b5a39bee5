package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.Past;
import org.exporters4j.models.Variant;

/**
 * Everything exporters4j knows about one model type, in one row of {@link ModelTypes}: its key (Optimum's spelling,
 * which is Transformers' {@code model_type} with {@code _} → {@code -}; the config defaults of {@code checkpoint}
 * are keyed by the same type), its ONNX export configuration, its graph builder (a family of {@code models} with
 * this type's flavour; empty while none is written), and one line per task: which Optimum version registers it
 * (with and without the cache) and the Transformers classes its auto classes build for this type, per framework.
 *
 * <p>The graph is built for exactly the registered variants Transformers has a PyTorch class for; the row checks
 * that the family agrees ({@link ModelTypes} builds it), so built ⊆ registered and nothing registered is silently
 * missing: a registered pair that cannot be built has a reason ({@link #whyNotBuilt}).
 *
 * @param modelType Optimum's key: lower case, {@code -} for {@code _} ({@code gpt-neo})
 * @param onnx      the ONNX export configuration (Optimum's class plus this type's differences)
 * @param graph     the graph builder for the registered variants; empty when none is written yet
 * @param tasks     one line per task, in Optimum's order for the registered ones
 */
public record ModelTypeRow(String modelType, OnnxModelRow onnx, Optional<Architecture> graph, List<TaskLine> tasks) {

    /** Which Optimum version registers a task for the type, without and with the cache. */
    public enum Registered {
        /** Optimum v1.5.2 registers the task. */
        V1_5_2(RegistrySource.OPTIMUM_1_5_2, null),
        /** Optimum v1.5.2 registers the task and its {@code -with-past} form. */
        V1_5_2_WITH_PAST(RegistrySource.OPTIMUM_1_5_2, RegistrySource.OPTIMUM_1_5_2),
        /** Optimum v1.5.2 registers the task; later Optimum adds its {@code -with-past} form (CodeGen). */
        V1_5_2_WITH_PAST_LATER(RegistrySource.OPTIMUM_1_5_2, RegistrySource.LATER_OPTIMUM),
        /** Optimum 1.25.3 registers the task (today's model types, with its interface). */
        V1_25_3(RegistrySource.OPTIMUM_1_25_3, null),
        /** Optimum 1.25.3 registers the task and its {@code -with-past} form. */
        V1_25_3_WITH_PAST(RegistrySource.OPTIMUM_1_25_3, RegistrySource.OPTIMUM_1_25_3),
        /** No Optimum registers the type; exporters4j's own row exports the task with a registered type's interface. */
        OWN(RegistrySource.EXPORTERS4J, null),
        /** As {@link #OWN}, with the {@code -with-past} form. */
        OWN_WITH_PAST(RegistrySource.EXPORTERS4J, RegistrySource.EXPORTERS4J),
        /**
         * No Optimum registers the task for this type; Transformers' auto classes still list the type's classes,
         * which tell a checkpoint's task from its config.json {@code architectures}.
         */
        NOT_REGISTERED(null, null);

        private final RegistrySource plain;
        private final RegistrySource withPast;

        Registered(RegistrySource plain, RegistrySource withPast) {
            this.plain = plain;
            this.withPast = withPast;
        }

        /** Who registers the variant; empty when nobody does. */
        Optional<RegistrySource> source(Past variant) {
            return Optional.ofNullable(variant == Past.WITHOUT_PAST ? plain : withPast);
        }
    }

    /**
     * One task of a model type: who registers it, and the classes Transformers' auto class for the task builds
     * for this type ({@code AutoModelForMaskedLM} → {@code BertForMaskedLM}; TensorFlow's {@code TFAutoModel...}),
     * the default first; empty where Transformers has none.
     */
    public record TaskLine(Registered registered, Task task, List<String> pytorchClasses,
                           List<String> tensorflowClasses) {
        public TaskLine {
            Objects.requireNonNull(registered, "registered");
            Objects.requireNonNull(task, "task");
            pytorchClasses = List.copyOf(pytorchClasses);
            tensorflowClasses = List.copyOf(tensorflowClasses);
            if (registered == Registered.NOT_REGISTERED && pytorchClasses.isEmpty() && tensorflowClasses.isEmpty()) {
                throw new IllegalArgumentException(task.canonicalName() + ": a task line is registered or names a "
                        + "class");
            }
            for (Past variant : Past.values()) {
                if (registered.source(variant).isPresent() && !task.hasVariant(variant)) {
                    throw new IllegalArgumentException(task.canonicalName() + " has no " + variant + " variant");
                }
            }
        }

        /** The classes of one framework. */
        public List<String> classes(Framework framework) {
            return framework == Framework.PT ? pytorchClasses : tensorflowClasses;
        }

        /** The registered variants of this task, plain first. */
        List<ExportTask> registeredTasks() {
            List<ExportTask> result = new ArrayList<>();
            for (Past variant : Past.values()) {
                registered.source(variant).ifPresent(source -> result.add(new ExportTask(task, variant)));
            }
            return result;
        }
    }

    public ModelTypeRow {
        if (modelType == null || !modelType.equals(modelType.strip().toLowerCase(Locale.ROOT).replace('_', '-'))) {
            throw new IllegalArgumentException("model type keys are lower case with '-': " + modelType);
        }
        Objects.requireNonNull(onnx, modelType + ": onnx");
        Objects.requireNonNull(graph, modelType + ": graph");
        tasks = List.copyOf(tasks);
        Set<Task> seen = EnumSet.noneOf(Task.class);
        for (TaskLine line : tasks) {
            if (!seen.add(line.task())) {
                throw new IllegalArgumentException(modelType + " has two lines for task " + line.task().canonicalName());
            }
        }
        if (tasks.stream().allMatch(line -> line.registered() == Registered.NOT_REGISTERED)) {
            throw new IllegalArgumentException(modelType + " registers no task");
        }
    }

    /** Where the model type comes from: the Optimum version that registers its first task. */
    public RegistrySource source() {
        return tasks.get(0).registered().source(Past.WITHOUT_PAST)
                .orElseThrow(() -> new IllegalStateException(modelType + ": its first line must be registered"));
    }

    /** Who registers an export task for this type; empty when nobody does. */
    public Optional<RegistrySource> sourceOf(ExportTask task) {
        return line(task.task()).flatMap(line -> line.registered().source(task.past()));
    }

    /** Every registered export task, in Optimum's order (a later Optimum's additions after their plain form). */
    public List<ExportTask> registeredTasks() {
        return tasks.stream().flatMap(line -> line.registeredTasks().stream()).toList();
    }

    /**
     * The export tasks of the Optimum version the type comes from ({@link #source()}): what Optimum-parity queries
     * answer (CodeGen's {@code -with-past} tasks, which a later Optimum added, are left out).
     */
    public List<ExportTask> parityTasks() {
        return registeredTasks().stream().filter(task -> sourceOf(task).orElseThrow() == source()).toList();
    }

    /**
     * The model types of the sub-configurations the export configuration reads ({@code clip_text_model} for CLIP's
     * {@code text_config}); their config defaults are Transformers' too, without a row of their own.
     */
    public Set<String> subConfigTypes() {
        return Set.copyOf(onnx.attributes().subConfigTypes().values());
    }

    /** The line of a task, if the type has one. */
    public Optional<TaskLine> line(Task task) {
        return tasks.stream().filter(line -> line.task() == task).findFirst();
    }

    /** The classes Transformers' auto class of {@code task} builds for this type in {@code framework}, default first. */
    public List<String> classes(Task task, Framework framework) {
        return line(task).map(line -> line.classes(framework)).orElse(List.of());
    }

    /** The registered export tasks the graph builds, in Optimum's order. */
    public List<ExportTask> exportableTasks() {
        return registeredTasks().stream().filter(task -> whyNotBuilt(task).isEmpty()).toList();
    }

    /** The graph variants of the registered tasks Transformers can load (those the graph must build). */
    Set<Variant> loadableVariants() {
        Set<Variant> variants = new LinkedHashSet<>();
        for (ExportTask task : registeredTasks()) {
            if (!classes(task.task(), Framework.PT).isEmpty()) {
                variants.add(task.graphVariant());
            }
        }
        return variants;
    }

    /**
     * Why a registered export task is not built, for the error that refuses it: Transformers has no PyTorch class
     * for it (so Optimum's own export cannot load a checkpoint either), or no graph builder is written for the
     * type yet; empty when it is built.
     *
     * @throws IllegalArgumentException when the task is not registered for the type
     */
    public Optional<String> whyNotBuilt(ExportTask task) {
        RegistrySource source = sourceOf(task).orElseThrow(() -> new IllegalArgumentException(modelType
                + " does not register " + task.name()));
        if (classes(task.task(), Framework.PT).isEmpty()) {
            return Optional.of(source.description() + " registers " + task.name() + " for " + modelType
                    + ", but Transformers' " + task.task().modelClass(Framework.PT).orElseThrow()
                    + " has no class for " + modelType + ", so no checkpoint can be loaded for it (Optimum's own "
                    + "export of the pair fails the same way) and exporters4j does not build it");
        }
        if (graph.isEmpty()) {
            return Optional.of("exporters4j has no ONNX graph builder for " + modelType + " yet (the task registry "
                    + "knows it from " + source.description() + "; its graph family is not written)");
        }
        return Optional.empty();
    }

    /**
     * The file layouts this type is exported in, its default first ({@code export onnx --layout}): the layouts of
     * its ONNX configuration ({@link OnnxModelRow#layouts}).
     */
    public List<Layout> layouts() {
        return onnx.layouts();
    }

    /** The layout written when none is asked for: the first of {@link #layouts()}. */
    public Layout defaultLayout() {
        return layouts().get(0);
    }

    /**
     * Why {@code layout} cannot be written for this type, naming the layouts it has and the fix; empty when it can.
     */
    public Optional<String> whyNotLaidOut(Layout layout) {
        if (layouts().contains(layout)) {
            return Optional.empty();
        }
        String why = layout == Layout.OPTIMUM_1_5
                ? modelType + " is exported with Optimum 1.25.3's interface only (" + source().description()
                        + " registers it; Optimum v1.5.2 has no layout for it)"
                : modelType + " is exported with Optimum v1.5.2's interface only for now: Optimum 1.25.3's files ("
                        + Layout.ids(List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS)) + ") are not written for "
                        + onnx.onnxConfigClass() + "'s family yet (issue 10's next step)";
        return Optional.of("--layout " + layout.id() + " is not available for " + modelType + ": " + why
                + "; its layouts are " + Layout.ids(layouts()) + "; pass --layout " + defaultLayout().id()
                + " or leave --layout out");
    }

    /**
     * The layouts {@code task} is written in, its default first: the type's layouts, less Optimum v1.5.2's for a
     * task only Optimum 1.25.3 registers for this type (whisper's {@code audio-classification}, which v1.5.2's
     * {@code WhisperOnnxConfig} has no interface for), so such a task defaults to {@code optimum}. A task the row
     * does not register has the type's layouts (the registry refuses the task itself, naming those it has).
     */
    public List<Layout> layouts(ExportTask task) {
        return sourceOf(task).filter(source -> source == RegistrySource.OPTIMUM_1_25_3).isPresent()
                ? layouts().stream().filter(layout -> layout != Layout.OPTIMUM_1_5).toList() : layouts();
    }

    /** The layout {@code task} is written in when none is asked for: the first of {@link #layouts(ExportTask)}. */
    public Layout defaultLayout(ExportTask task) {
        return layouts(task).get(0);
    }

    /**
     * Why {@code layout} cannot be written for {@code task} of this type ({@link #whyNotLaidOut(Layout)}, or the
     * task's own layouts), naming the layouts it has and the fix; empty when it can.
     */
    public Optional<String> whyNotLaidOut(Layout layout, ExportTask task) {
        Optional<String> whyNotType = whyNotLaidOut(layout);
        if (whyNotType.isPresent() || layouts(task).contains(layout)) {
            return whyNotType;
        }
        return Optional.of("--layout " + layout.id() + " is not available for " + modelType + " " + task.name() + ": "
                + sourceOf(task).orElseThrow().description() + " registers " + task.todaysName() + " for "
                + modelType + " and Optimum v1.5.2 did not, so it has Optimum 1.25.3's interface only; its layouts are "
                + Layout.ids(layouts(task)) + "; pass --layout " + defaultLayout(task).id() + " or leave --layout out");
    }

    /** The tasks the graph builds, as a sentence part: {@code default, masked-lm, ...}. */
    String exportableTaskNames() {
        return exportableTasks().stream().map(ExportTask::name).collect(Collectors.joining(", "));
    }
}
