package org.exporters4j.checkpoint.h5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * jhdf logs through SLF4J 1.7; with no binding on the class path, SLF4J's first use prints three "Failed to load
 * class org.slf4j.impl.StaticLoggerBinder" lines to stderr in every run that reads a tf_model.h5 (issue 12, item 19).
 * SLF4J initialises once per class loader, so the check loads it afresh, from the jars the runtime class path
 * resolves for it, in a loader of its own, and watches stderr while jhdf's first logger is created.
 */
class HdfLoggingTest {
    @Test
    void slf4jIsBoundToTheNoOpLoggerSoReadingH5PrintsNothing() throws Exception {
        ClassLoader application = HdfLoggingTest.class.getClassLoader();
        List<URL> jars = new ArrayList<>();
        jars.add(jarOf(application.getResource("org/slf4j/LoggerFactory.class")));
        for (URL binder : Collections.list(application.getResources("org/slf4j/impl/StaticLoggerBinder.class"))) {
            jars.add(jarOf(binder));
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        try (URLClassLoader fresh = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Class<?> factory = Class.forName("org.slf4j.LoggerFactory", true, fresh);
            Object logger = factory.getMethod("getLogger", String.class).invoke(null, "io.jhdf.HdfFile");
            assertEquals("org.slf4j.helpers.NOPLogger", logger.getClass().getName());
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8),
                "SLF4J printed to stderr: bind it (slf4j-nop at the slf4j-api version jhdf uses)");
    }

    /** The jar a class file was found in (Maven resolves SLF4J as jars). */
    private static URL jarOf(URL classFile) throws Exception {
        assertNotNull(classFile, "SLF4J is not on the class path");
        String text = classFile.toString();
        assertEquals("jar:", text.substring(0, 4), "SLF4J is expected inside a jar: " + text);
        return new URL(text.substring("jar:".length(), text.indexOf("!/")));
    }
}
